/**
 * Two real peers with embedded IPFS nodes in one cluster: content added on A ends up pinned in
 * B's node, fetched over the network from A's node (the peers connect their IPFS nodes to each
 * other as upstream does with swarm connect); a pin made through A's IPFS proxy is a cluster pin
 * B sees and pins. (Allocation to B only needs the balanced allocator of the orchestration
 * branch; with today's pin-everywhere default both peers pin.)
 */
import { rm } from 'node:fs/promises'
import { decodeGlobalPinInfo, parseJson } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ndjsonLines, postUpload, pseudoRandom } from '../helpers/multipart.js'
import { createTestCluster, type PeerProcess, type TestCluster } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

const FAST = { CLUSTER_MONITORPINGINTERVAL: '1s', CLUSTER_PUBSUBMON_CHECKINTERVAL: '1s', CLUSTER_EMBEDDED_CONNECTSWARMSDELAY: '1s' }

async function localStatus(peer: PeerProcess, cid: string): Promise<string | undefined> {
  const info = decodeGlobalPinInfo(parseJson(await (await fetch(`${peer.api}/pins/${cid}?local=true`)).text()))
  return Object.values(info.peer_map)[0]?.status
}

async function inPinset(peer: PeerProcess, cid: string): Promise<boolean> {
  return (await fetch(`${peer.proxy}/api/v0/pin/ls?arg=${cid}&stream=true`, { method: 'POST' })).status === 200
}

describe('two peers with embedded IPFS nodes', () => {
  let cluster: TestCluster
  let a: PeerProcess
  let b: PeerProcess

  beforeAll(async () => {
    cluster = await createTestCluster({ peers: 2, env: FAST })
    ;[a, b] = cluster.peers as [PeerProcess, PeerProcess]
    await waitFor(async () => ((await (await fetch(`${a.api}/id`)).json()) as { cluster_peers: string[] }).cluster_peers.length === 2, {
      timeout: 30_000,
      message: 'both peers in the peerset',
    })
  })

  afterAll(async () => {
    await cluster?.destroy()
    for (const p of cluster?.peers ?? []) await rm(p.dir, { recursive: true, force: true })
  })

  it('content added on A is pinned in B, fetched from A over the network', async () => {
    const res = await postUpload(`${a.api}/add`, [{ path: 'shared.bin', content: pseudoRandom(3 * 1024 * 1024, Date.now() % 100_000) }])
    const [root] = await ndjsonLines<{ cid: string }>(res)
    const cid = root?.cid as string
    expect(cid).toMatch(/^Qm/)
    await waitFor(async () => (await localStatus(b, cid)) === 'pinned', { timeout: 60_000, message: "B's node to pin the content added on A" })
    expect(await localStatus(a, cid)).toBe('pinned')
  })

  it("a pin through A's IPFS proxy is a cluster pin that B sees and pins", async () => {
    const add = await postUpload(`${a.proxy}/api/v0/add?pin=false`, [{ path: 'p.txt', content: `through the proxy ${Date.now()}` }])
    const [out] = await ndjsonLines<{ Hash: string }>(add)
    const cid = out?.Hash as string
    expect(await inPinset(b, cid)).toBe(false)
    const pinned = await fetch(`${a.proxy}/api/v0/pin/add?arg=${cid}`, { method: 'POST' })
    expect(await pinned.json()).toEqual({ Pins: [cid] })
    await waitFor(() => inPinset(b, cid), { timeout: 20_000, message: 'the proxy pin in B’s view of the pinset' })
    await waitFor(async () => (await localStatus(b, cid)) === 'pinned', { timeout: 60_000, message: "B's node to pin it" })
  })
})
