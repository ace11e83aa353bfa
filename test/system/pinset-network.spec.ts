/**
 * Pinset over real libp2p on loopback: gossip of commits between three peers, deterministic
 * convergence of concurrent writes, trust (an untrusted peer's writes never arrive, but it can
 * read by syncing), and catch-up of a fresh peer from one holding 100k pins.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PinsetChange } from '@pinmesh/interface'
import { createPinset } from '@pinmesh/pinset'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait.js'
import { cidFor, pinFor } from './fixtures/pinset-cids.js'
import { clusterName, connectAll, silent, startNode, type TestNode } from './fixtures/pinset-nodes.js'

/** Connects the nodes and waits until each sees every other one subscribed to the pinset topic. */
async function mesh(nodes: TestNode[]): Promise<void> {
  await connectAll(nodes)
  await waitFor(() => nodes.every((n) => n.host.services.pubsub.getSubscribers(n.pinset.internals.gossip?.topic ?? '').length === nodes.length - 1), {
    timeout: 15_000,
    message: 'every peer subscribed to the pinset topic',
  })
}

async function contents(node: TestNode): Promise<string[]> {
  const out: string[] = []
  for await (const p of node.pinset.list()) out.push(`${p.cid}=${p.name}`)
  return out.sort()
}

describe('pinset gossip between three trusted peers', () => {
  const nodes: TestNode[] = []
  const cluster = clusterName()
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) nodes.push(await startNode({ cluster_name: cluster, shards: 8, digest_interval: 0 }))
    await mesh(nodes)
  })
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()))
  })

  it('delivers commits to the other peers with remote change events', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    const seen: PinsetChange[] = []
    b.pinset.addEventListener('change', (e) => seen.push(e.detail))
    await Promise.all(Array.from({ length: 200 }, (_, i) => a.pinset.put(pinFor(i, 'from-a'))))
    await waitFor(async () => (await b.pinset.size()) === 200 && (await c.pinset.size()) === 200, { timeout: 30_000, message: 'B and C hold 200 pins' })
    expect(seen.filter((s) => s.type === 'added' && s.origin === 'remote')).toHaveLength(200)
    await a.pinset.remove(cidFor(7))
    await waitFor(async () => !(await c.pinset.has(cidFor(7))), { timeout: 30_000, message: 'removal reached C' })
    expect(seen.some((s) => s.type === 'removed' && s.cid === cidFor(7) && s.origin === 'remote')).toBe(true)
    expect(await b.pinset.digest()).toBe(await a.pinset.digest())
  })

  it('converges concurrent writes of one CID to the same value everywhere', async () => {
    const cid = cidFor(10_000)
    await Promise.all(nodes.map((n, i) => n.pinset.put({ ...pinFor(10_000, `writer-${i}`) })))
    await waitFor(async () => new Set(await Promise.all(nodes.map((n) => n.pinset.digest()))).size === 1, {
      timeout: 30_000,
      message: 'equal digests after concurrent writes',
    })
    const names = await Promise.all(nodes.map(async (n) => (await n.pinset.get(cid))?.name))
    expect(new Set(names).size).toBe(1)
    expect(names[0]).toMatch(/^writer-\d$/)
    expect(await contents(nodes[0] as TestNode)).toEqual(await contents(nodes[2] as TestNode))
  })
})

describe('pinset trust', () => {
  const trusted: TestNode[] = []
  let outsider: TestNode
  const cluster = clusterName()
  beforeAll(async () => {
    const { createHost } = await import('./fixtures/pinset-nodes.js')
    const hosts = [await createHost(), await createHost()]
    const ids = hosts.map((h) => h.peerId.toString())
    for (const h of hosts) trusted.push(await startNode({ cluster_name: cluster, shards: 4, trusted_peers: ids, digest_interval: 300 }, h))
    outsider = await startNode({ cluster_name: cluster, shards: 4, trusted_peers: ids, digest_interval: 300 })
    await connectAll([...trusted, outsider])
    await waitFor(() => outsider.host.services.pubsub.getSubscribers(outsider.pinset.internals.gossip?.topic ?? '').length === 2, {
      timeout: 15_000,
      message: 'outsider sees both trusted subscribers',
    })
  })
  afterAll(async () => {
    await Promise.all([...trusted, outsider].map((n) => n.stop()))
  })

  it("never applies an untrusted peer's writes, while the untrusted peer reads the pinset", async () => {
    const [a, b] = trusted as [TestNode, TestNode]
    await outsider.pinset.put(pinFor(1, 'evil', 'outsider'))
    await a.pinset.put(pinFor(2, 'good'))
    // The outsider follows: it gets A's pin by gossip or sync.
    await waitFor(() => outsider.pinset.has(cidFor(2)), { timeout: 30_000, message: 'outsider reads the trusted pin' })
    await waitFor(() => b.pinset.has(cidFor(2)), { timeout: 30_000, message: 'B has the trusted pin' })
    // Let several digest rounds pass: trusted peers must neither take the gossip nor pull from the outsider.
    await waitFor(() => a.pinset.stats().gossipUntrusted >= 2 && b.pinset.stats().gossipUntrusted >= 2, {
      timeout: 30_000,
      message: 'trusted peers dropped untrusted messages',
    })
    const result = await a.pinset.syncWith(outsider.id)
    expect(result.applied).toBe(false)
    expect(result.shards).toBeGreaterThan(0)
    expect(await a.pinset.has(cidFor(1, 'outsider'))).toBe(false)
    expect(await b.pinset.has(cidFor(1, 'outsider'))).toBe(false)
    expect(await outsider.pinset.has(cidFor(1, 'outsider'))).toBe(true)
  })
})

describe('pinset catch-up', () => {
  it('brings a fresh peer to the same digest as a peer holding 100k pins', async () => {
    const cluster = clusterName()
    // Fill the state local-only (no gossip to sign), then open it on the network.
    const dir = await mkdtemp(join(tmpdir(), 'pinmesh-pinset-'))
    const writer = await createPinset({ path: dir, shards: 64, batching: { max_batch_size: 5000, max_queue_size: 100_000 } }, { logger: silent })
    const writes: Promise<void>[] = []
    for (let i = 0; i < 100_000; i++) writes.push(writer.put(pinFor(i, 'bulk')))
    await Promise.all(writes)
    await writer.close()
    const full = await startNode({ path: dir, cluster_name: cluster, shards: 64, digest_interval: 500 })
    let fresh: TestNode | undefined
    try {
      expect(await full.pinset.size()).toBe(100_000)
      fresh = await startNode({ cluster_name: cluster, shards: 64, digest_interval: 500 })
      await connectAll([full, fresh])
      const target = await full.pinset.digest()
      const f = fresh
      await waitFor(async () => (await f.pinset.digest()) === target, { timeout: 120_000, interval: 250, message: 'fresh peer reaches the digest' })
      expect(await fresh.pinset.size()).toBe(100_000)
      await waitFor(() => f.pinset.stats().syncPulled > 0, { timeout: 10_000, message: 'the fresh peer finished a sync pull' })
      expect((await fresh.pinset.get(cidFor(99_999)))?.name).toBe('bulk')
    } finally {
      await fresh?.stop()
      await full.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('pinset anti-entropy without gossip', () => {
  it('heals a peer that receives no gossip at all by periodic sync pulls', async () => {
    const cluster = clusterName()
    const a = await startNode({ cluster_name: cluster, shards: 8, digest_interval: 300 })
    const b = await startNode({ cluster_name: cluster, shards: 8, digest_interval: 300 })
    try {
      // B leaves the topic: no update messages and no digest announcements reach it.
      b.host.services.pubsub.unsubscribe(b.pinset.internals.gossip?.topic ?? '')
      await connectAll([a, b])
      await Promise.all(Array.from({ length: 50 }, (_, i) => a.pinset.put(pinFor(i, 'no-gossip'))))
      await waitFor(async () => (await b.pinset.size()) === 50, { timeout: 30_000, message: 'B pulled the 50 pins' })
      expect(b.pinset.stats().gossipApplied).toBe(0)
      expect(b.pinset.stats().syncPulled).toBeGreaterThan(0)
      expect(await b.pinset.digest()).toBe(await a.pinset.digest())
    } finally {
      await b.stop()
      await a.stop()
    }
  })
})

describe('pinset pulls only from peers that may have something it lacks', () => {
  const nodes: TestNode[] = []
  const cluster = clusterName()
  beforeAll(async () => {
    // No periodic announcements or pulls: the test announces by hand.
    for (let i = 0; i < 2; i++) nodes.push(await startNode({ cluster_name: cluster, shards: 8, digest_interval: 0 }))
    const [a] = nodes as [TestNode, TestNode]
    // A's pins are written before the peers meet, so no gossip carries them.
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.pinset.put(pinFor(i, 'only-on-a'))))
    await mesh(nodes)
  })
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()))
  })

  it('does not pull from a peer whose digest shows it behind, and that peer pulls instead', async () => {
    const [a, b] = nodes as [TestNode, TestNode]
    const pulling = (n: TestNode) => (n.pinset.internals.sync as unknown as { pulling: Map<string, unknown> }).pulling.size
    await b.pinset.announce()
    // The pull decision is taken in the same step that records B's announced clocks.
    await waitFor(() => a.pinset.internals.gossip?.isBehind(b.host.peerId) === true, { timeout: 15_000, message: "A received B's digest" })
    expect(pulling(a)).toBe(0)
    await a.pinset.announce()
    await waitFor(async () => (await b.pinset.size()) === 50, { timeout: 30_000, message: 'B pulled the 50 pins from A' })
    expect(await b.pinset.digest()).toBe(await a.pinset.digest())
    expect(b.pinset.stats().syncPulled).toBeGreaterThanOrEqual(1)
    expect(a.pinset.stats().syncPulled).toBe(0)
    expect(a.pinset.stats().syncServed).toBeGreaterThanOrEqual(1)
  })
})
