/**
 * Fuzz: 10,000+ random and mutated gossip messages and sync frames reach a pinset on a real
 * libp2p host. None crashes it, none changes its state, and every one is counted as rejected.
 */
import { lpStream } from '@libp2p/utils'
import { SYNC_PROTOCOL, wire } from '@pinmesh/pinset'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { cidFor, pinFor } from './fixtures/pinset-cids.js'
import { clusterName, connectAll, startNode, type TestNode } from './fixtures/pinset-nodes.js'

const SHARDS = 8

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Yjs updates a pinset must refuse: wrong types, wrong roots, bad keys, bad values. */
function badUpdates(): Uint8Array[] {
  const out: Uint8Array[] = []
  const make = (fn: (doc: Y.Doc) => void) => {
    const doc = new Y.Doc()
    fn(doc)
    out.push(Y.encodeStateAsUpdate(doc))
  }
  make((d) => d.getText('pins').insert(0, 'hello'))
  make((d) => d.getArray('pins').push(['x']))
  make((d) => d.getMap('other').set(cidFor(1), '{}'))
  make((d) => d.getMap('pins').set('not-a-cid', '{}'))
  make((d) => d.getMap('pins').set(cidFor(2), 42 as unknown as string))
  make((d) => d.getMap('pins').set(cidFor(3), '{"replication_factor_min":"x"}'))
  make((d) => d.getMap('pins').set(cidFor(4), 'not json'))
  make((d) => d.getMap('pins').set(cidFor(5), '{"cid":"x"}'))
  make((d) => d.getMap('pins').set(cidFor(6), new Y.Map() as unknown as string))
  make((d) => {
    d.getMap('pins').set(cidFor(7), '{}')
    d.getMap('pins').set(cidFor(7), '{"type":"nope"}')
  })
  return out
}

describe('pinset fuzz', () => {
  let node: TestNode
  let client: TestNode
  let valid: Uint8Array[]
  beforeAll(async () => {
    const cluster = clusterName()
    node = await startNode({ cluster_name: cluster, shards: SHARDS, digest_interval: 0 })
    client = await startNode({ cluster_name: cluster, shards: SHARDS, digest_interval: 0 })
    await Promise.all(Array.from({ length: 100 }, (_, i) => node.pinset.put(pinFor(i, 'base'))))
    // Real update messages from another replica, to mutate.
    const source = await startNode({ cluster_name: clusterName(), shards: SHARDS, digest_interval: 0 })
    valid = []
    source.pinset.internals.pinset.onCommit = (updates) => valid.push(wire.encodeUpdateMessage(SHARDS, updates))
    for (let i = 0; i < 20; i++) await source.pinset.put(pinFor(1000 + i, 'src'))
    await source.stop()
    await connectAll([node, client])
  })
  afterAll(async () => {
    await client?.stop()
    await node?.stop()
  })

  it('rejects and counts 8,000 bad gossip messages without touching state', async () => {
    const random = rng(42)
    const gossip = node.pinset.internals.gossip
    if (gossip === undefined) throw new Error('no gossip')
    const digest = await node.pinset.digest()
    const bad = badUpdates()
    const messages: Uint8Array[] = []
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256))
    for (let i = 0; i < 2000; i++) messages.push(bytes(Math.floor(random() * 3000)))
    for (let i = 0; i < 3500; i++) {
      const m = Uint8Array.from(valid[Math.floor(random() * valid.length)] as Uint8Array)
      const kind = random()
      if (kind < 0.6) {
        // Distinct positions, so flips never cancel out into the original message.
        const positions = new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, () => Math.floor(random() * m.length)))
        for (const at of positions) m[at] = (m[at] as number) ^ (1 + Math.floor(random() * 255))
        messages.push(m)
      } else if (kind < 0.8) messages.push(m.subarray(0, Math.floor(random() * m.length)))
      else messages.push(Uint8Array.from([...m, ...bytes(1 + Math.floor(random() * 20))]))
    }
    for (let i = 0; i < 2500; i++) {
      const u = bad[i % bad.length] as Uint8Array
      const shard = Math.floor(random() * SHARDS)
      const choice = i % 5
      if (choice === 0) messages.push(wire.encodeUpdateMessage(SHARDS * 2, [{ shard, update: u }]))
      else messages.push(wire.encodeUpdateMessage(SHARDS, [{ shard, update: u }]))
    }
    messages.push(wire.encodeUpdateMessage(SHARDS, [{ shard: SHARDS, update: new Uint8Array([0, 0]) }]))
    messages.push(wire.encodeDigestMessage(SHARDS, new Uint8Array(31), new Array(SHARDS).fill(0)))
    expect(messages.length).toBeGreaterThanOrEqual(8000)
    const before = node.pinset.stats().gossipRejected
    const from = client.host.peerId
    const results = new Map<string, number>()
    for (const m of messages) {
      const r = await gossip.receive(from, m)
      results.set(r, (results.get(r) ?? 0) + 1)
    }
    expect(Object.fromEntries(results)).toEqual({ reject: messages.length })
    expect(node.pinset.stats().gossipRejected - before).toBe(messages.length)
    expect(await node.pinset.digest()).toBe(digest)
    expect(await node.pinset.size()).toBe(100)
    // Still healthy: a real message is applied.
    expect(await gossip.receive(from, valid[0] as Uint8Array)).toBe('accept')
    expect(await node.pinset.has(cidFor(1000))).toBe(true)
  })

  it('rejects and counts 2,500 bad sync frames without touching state', async () => {
    const random = rng(7)
    const sync = client.pinset.internals.sync
    if (sync === undefined) throw new Error('no sync')
    const digest = await client.pinset.digest()
    const bad = badUpdates()
    const chunk = wire.encodeChunk(1, true, Y.encodeStateAsUpdate(new Y.Doc()))
    const frames: Uint8Array[] = []
    for (let i = 0; i < 800; i++) frames.push(Uint8Array.from({ length: Math.floor(random() * 2000) }, () => Math.floor(random() * 256)))
    for (let i = 0; i < 700; i++) {
      const m = Uint8Array.from(chunk)
      const at = Math.floor(random() * m.length)
      m[at] = (m[at] as number) ^ (1 + Math.floor(random() * 255))
      frames.push(m)
    }
    for (let i = 0; i < 900; i++) frames.push(wire.encodeChunk(Math.floor(random() * SHARDS), true, bad[i % bad.length] as Uint8Array))
    for (let i = 0; i < 100; i++) {
      const kinds = [
        wire.encodeDone(1 + (i % 3)),
        wire.encodeAck(i),
        wire.encodeRequest(1, []),
        wire.encodeError('no'),
        wire.encodeChunk(SHARDS + i, true, new Uint8Array()),
      ]
      frames.push(kinds[i % kinds.length] as Uint8Array)
    }
    const before = client.pinset.stats().syncRejected
    let thrown = 0
    for (const f of frames) {
      const receive = sync.receiver(node.id)
      try {
        await receive(f)
      } catch (err) {
        expect((err as Error).name).toBe('WireError')
        thrown++
      }
    }
    expect(thrown).toBe(frames.length)
    expect(client.pinset.stats().syncRejected - before).toBe(frames.length)
    expect(await client.pinset.digest()).toBe(digest)
    // Garbage requests over real streams are counted by the server and do not stop it.
    const served = node.pinset.stats().syncRejected
    for (let i = 0; i < 20; i++) {
      // By address: under load the first connection may have been closed and the peer store may hold no address yet.
      const stream = await client.host.dialProtocol(node.host.getMultiaddrs(), SYNC_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(Uint8Array.from({ length: 50 + i }, () => Math.floor(random() * 256)))
      const answer = wire.decodeFrame((await lp.read()).subarray(), SHARDS)
      expect(answer.type).toBe('error')
      await stream.close().catch(() => {})
    }
    expect(node.pinset.stats().syncRejected - served).toBe(20)
    // The server still serves a real pull.
    const result = await client.pinset.syncWith(node.id)
    expect(result.applied).toBe(true)
    expect(await client.pinset.digest()).toBe(await node.pinset.digest())
  })
})
