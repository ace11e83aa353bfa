/**
 * Two real peers with embedded IPFS nodes in one cluster: content added on A and allocated to B
 * only ends up pinned in B's node, fetched over the network from A's node (the peers connect
 * their IPFS nodes to each other as upstream does with swarm connect), and A does not pin it; a
 * pin made through A's IPFS proxy is a cluster pin B sees and pins.
 */
import { rm, statfs } from 'node:fs/promises'
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

/** A two-peer cluster with embedded IPFS nodes, once both peers see each other. */
async function twoPeers(env: Record<string, string>): Promise<TestCluster> {
  const cluster = await createTestCluster({ peers: 2, env })
  const a = cluster.peers[0] as PeerProcess
  await waitFor(async () => ((await (await fetch(`${a.api}/id`)).json()) as { cluster_peers: string[] }).cluster_peers.length === 2, {
    timeout: 30_000,
    message: 'both peers in the peerset',
  })
  return cluster
}

async function destroy(cluster: TestCluster | undefined): Promise<void> {
  await cluster?.destroy()
  for (const p of cluster?.peers ?? []) await rm(p.dir, { recursive: true, force: true })
}

async function inPinset(peer: PeerProcess, cid: string): Promise<boolean> {
  return (await fetch(`${peer.proxy}/api/v0/pin/ls?arg=${cid}&stream=true`, { method: 'POST' })).status === 200
}

describe('two peers with embedded IPFS nodes', () => {
  let cluster: TestCluster
  let a: PeerProcess
  let b: PeerProcess

  beforeAll(async () => {
    cluster = await twoPeers(FAST)
    ;[a, b] = cluster.peers as [PeerProcess, PeerProcess]
  })

  afterAll(() => destroy(cluster))

  it('content added on A and allocated to B only is pinned in B, fetched from A over the network', async () => {
    const bId = cluster.ids[1] as string
    const res = await postUpload(`${a.api}/add?replication-min=1&replication-max=1&user-allocations=${bId}`, [
      { path: 'shared.bin', content: pseudoRandom(3 * 1024 * 1024, Date.now() % 100_000) },
    ])
    const [root] = await ndjsonLines<{ cid: string; allocations: string[] }>(res)
    const cid = root?.cid as string
    expect(cid).toMatch(/^Qm/)
    expect(root?.allocations).toEqual([bId])
    await waitFor(async () => (await localStatus(b, cid)) === 'pinned', { timeout: 60_000, message: "B's node to pin the content added on A" })
    expect(await localStatus(a, cid)).toBe('remote')
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

  it("repo/stat through either peer's proxy sums both peers' IPFS repositories", async () => {
    const stat = async (p: PeerProcess) =>
      (await (await fetch(`${p.proxy}/api/v0/repo/stat`, { method: 'POST' })).json()) as { RepoSize: number; StorageMax: number; NumObjects: number }
    const [fromA, fromB] = [await stat(a), await stat(b)]
    expect(fromA.NumObjects).toBe(fromB.NumObjects)
    // each embedded node reports its repository plus the free disk space as StorageMax; both
    // live on this disk, so the sum is about twice the free space
    const fs = await statfs(a.dir)
    expect(fromA.StorageMax).toBeGreaterThan(1.5 * fs.bavail * fs.bsize)
  })
})

describe('two peers whose IPFS nodes are not connected by the swarm connector', () => {
  let cluster: TestCluster

  beforeAll(async () => {
    cluster = await twoPeers({ ...FAST, CLUSTER_EMBEDDED_CONNECTSWARMSDELAY: '0s' })
  })

  afterAll(() => destroy(cluster))

  it("B's tracker reaches A's node through the pin's origins, set by /add", async () => {
    const [a, b] = cluster.peers as [PeerProcess, PeerProcess]
    const bId = cluster.ids[1] as string
    const res = await postUpload(`${a.api}/add?replication-min=1&replication-max=1&user-allocations=${bId}`, [
      { path: 'origins.bin', content: pseudoRandom(1024 * 1024, (Date.now() % 100_000) + 7) },
    ])
    const [root] = await ndjsonLines<{ cid: string }>(res)
    await waitFor(async () => (await localStatus(b, root?.cid as string)) === 'pinned', { timeout: 60_000, message: "B's node to pin via the origins" })
  })
})
