/**
 * A cluster of real `pinmesh daemon` processes on loopback: three peers joined with
 * `--bootstrap` see each other, a stopped peer leaves the peerset after its ping TTL and comes
 * back by itself from its persisted peerstore, a peer with another secret never joins,
 * `DELETE /peers/{id}` removes a peer for good, and `GET /pins/{cid}` asks every member over RPC.
 */
import { decodeGlobalPinInfo, decodeId, type ID, parseJson } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCluster, type PeerProcess, startPeer, type TestCluster } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

/** Short ping interval (TTL 2 s) so departures show within seconds. */
const FAST = { CLUSTER_MONITORPINGINTERVAL: '1s', CLUSTER_PUBSUBMON_CHECKINTERVAL: '1s' }

async function peersOf(api: string): Promise<ID[]> {
  const res = await fetch(`${api}/peers`)
  if (res.status === 204) return []
  const text = await res.text()
  return text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => decodeId(parseJson(l)))
}

async function healthyPeerIds(api: string): Promise<string[]> {
  return (await peersOf(api))
    .filter((p) => p.error === '')
    .map((p) => p.id)
    .sort()
}

describe('cluster membership (3 real peers, --bootstrap)', () => {
  let cluster: TestCluster
  let outsider: PeerProcess | undefined

  beforeAll(async () => {
    cluster = await createTestCluster({ peers: 3, env: FAST })
  })

  afterAll(async () => {
    await outsider?.kill()
    await cluster?.destroy()
  })

  it('every peer lists all three in GET /peers and GET /id', async () => {
    const all = [...cluster.ids].sort()
    for (const peer of cluster.peers) {
      await waitFor(async () => JSON.stringify(await healthyPeerIds(peer.api)) === JSON.stringify(all), {
        timeout: 20_000,
        message: `${peer.api} to list all three peers`,
      })
      const id = decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
      expect(id.cluster_peers).toEqual(all)
      expect(id.rpc_protocol_version).toBe('/pinmesh/rpc/1.0.0')
    }
    // IDs of other peers came over RPC: each carries its own addresses and peerset.
    const ids = await peersOf(cluster.peers[0]?.api as string)
    const remote = ids.find((p) => p.id === cluster.ids[1])
    expect(remote?.addresses?.every((a) => a.endsWith(`/p2p/${cluster.ids[1]}`))).toBe(true)
    expect(remote?.cluster_peers).toContain(cluster.ids[0])
  })

  it('GET /pins/{cid} asks every member over RPC for its own view', async () => {
    const [a] = cluster.peers as [PeerProcess]
    const cid = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const pinned = await fetch(`${a.api}/pins/${cid}`, { method: 'POST' })
    expect(pinned.status).toBe(200)
    const status = decodeGlobalPinInfo(parseJson(await (await fetch(`${a.api}/pins/${cid}`)).text()))
    expect(Object.keys(status.peer_map).sort()).toEqual([...cluster.ids].sort())
    // The pin is everywhere (-1) and its content exists nowhere: every member reports its own
    // tracker's state (queued/pinning, or unpinned if the gossip has not reached it yet), which
    // only an RPC answer can carry — never the synthetic `remote` or a `cluster_error`.
    for (const peer of cluster.ids.slice(1)) {
      expect(['pin_queued', 'pinning', 'unpinned']).toContain(status.peer_map[peer]?.status)
      expect(status.peer_map[peer]?.error).toBe('')
    }
    const list = (await (await fetch(`${a.api}/pins`)).text()).trim().split('\n')
    const global = decodeGlobalPinInfo(parseJson(list[0] as string))
    expect(global.cid).toBe(cid)
    expect(Object.keys(global.peer_map)).toContain(cluster.ids[0])
  })

  it('a peer with another secret never joins, and the others keep working', async () => {
    const a = cluster.peers[0] as PeerProcess
    const addr = decodeId(parseJson(await (await fetch(`${a.api}/id`)).text())).addresses?.[0] as string
    outsider = await startPeer({ env: { ...FAST, CLUSTER_SECRET: 'ab'.repeat(32) }, args: ['--bootstrap', addr] })
    await waitFor(() => /different cluster secret/.test((outsider as PeerProcess).logs()), {
      timeout: 15_000,
      message: 'the outsider to log the secret mismatch',
    })
    await waitFor(() => /different cluster secret/.test(a.logs()), { timeout: 15_000, message: 'the cluster peer to log the secret mismatch' })
    const outsiderId = decodeId(parseJson(await (await fetch(`${outsider.api}/id`)).text())).id
    // Several ping intervals later, nobody has seen anybody across the secret boundary.
    await new Promise((r) => setTimeout(r, 4000))
    expect(await healthyPeerIds(outsider.api)).toEqual([outsiderId])
    for (const peer of cluster.peers) expect(await healthyPeerIds(peer.api)).toEqual([...cluster.ids].sort())
    await outsider.kill()
    outsider = undefined
  })

  it('a stopped peer leaves after its TTL and comes back from its peerstore without --bootstrap', async () => {
    const [a, b, c] = cluster.peers as [PeerProcess, PeerProcess, PeerProcess]
    const cId = cluster.ids[2] as string
    expect(await c.stop()).toBe(0)
    for (const peer of [a, b]) {
      await waitFor(async () => !(await healthyPeerIds(peer.api)).includes(cId) && !(await peersOf(peer.api)).some((p) => p.id === cId), {
        timeout: 15_000,
        message: `${peer.api} to drop the stopped peer`,
      })
    }
    await c.restart([])
    const all = [...cluster.ids].sort()
    for (const peer of [a, b, c]) {
      await waitFor(async () => JSON.stringify(await healthyPeerIds(peer.api)) === JSON.stringify(all), {
        timeout: 20_000,
        message: `${peer.api} to see the restarted peer again`,
      })
    }
  })

  it('DELETE /peers/{id} removes a peer for good', async () => {
    const [a, , c] = cluster.peers as [PeerProcess, PeerProcess, PeerProcess]
    const cId = cluster.ids[2] as string
    const bad = await fetch(`${a.api}/peers/not-a-peer`, { method: 'DELETE' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/error decoding Peer ID/)

    const res = await fetch(`${a.api}/peers/${cId}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(await healthyPeerIds(a.api)).not.toContain(cId)
    // The removed peer keeps running and pinging; it stays out (refused, metrics ignored).
    await new Promise((r) => setTimeout(r, 4000))
    expect((await peersOf(a.api)).map((p) => p.id)).not.toContain(cId)
    expect(decodeId(parseJson(await (await fetch(`${a.api}/id`)).text())).cluster_peers).not.toContain(cId)
    expect((await fetch(`${c.api}/health`)).status).toBe(204)
  })
})
