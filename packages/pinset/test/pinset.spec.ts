import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PinsetChange } from '@pinmesh/interface'
import { defaultPinOptions, InvalidConfigError, newPin, QueueFullError, StateFormatError } from '@pinmesh/interface'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinset, decodeValue, encodeValue, FORMAT_VERSION, packUpdates, parsePinsetConfig, wire } from '../src/index.js'

const CID_A = 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6'
const CID_B = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
const logger = pino({ level: 'silent' })

describe('pinset on LevelDB', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinmesh-pinset-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('puts, gets, lists, removes and emits typed changes', async () => {
    const pinset = await createPinset({ path: dir, shards: 4 }, { logger })
    const changes: PinsetChange[] = []
    pinset.addEventListener('change', (e) => changes.push(e.detail))
    await pinset.put(newPin(CID_A, { ...defaultPinOptions(), name: 'a' }))
    await pinset.put(newPin(CID_B, defaultPinOptions()))
    await pinset.put(newPin(CID_A, { ...defaultPinOptions(), name: 'a2' }))
    expect((await pinset.get(CID_A))?.name).toBe('a2')
    expect(await pinset.has(CID_B)).toBe(true)
    const listed: string[] = []
    for await (const p of pinset.list()) listed.push(p.cid)
    expect(listed.sort()).toEqual([CID_A, CID_B].sort())
    expect(await pinset.size()).toBe(2)
    await pinset.remove(CID_B)
    await pinset.remove(CID_B)
    expect(await pinset.has(CID_B)).toBe(false)
    expect(changes.map((c) => `${c.type}:${c.cid}:${c.origin}`)).toEqual([
      `added:${CID_A}:local`,
      `added:${CID_B}:local`,
      `updated:${CID_A}:local`,
      `removed:${CID_B}:local`,
    ])
    await pinset.close()
  })

  it('commits concurrent writes in groups and keeps them across a reopen', async () => {
    const first = await createPinset({ path: dir, shards: 8, batching: { max_batch_size: 50, max_batch_age: 5 } }, { logger })
    const pins = Array.from({ length: 300 }, (_, i) => newPin(CID_A, { ...defaultPinOptions(), name: `n${i}` }))
    await Promise.all(pins.map((p, i) => first.put({ ...p, cid: i % 2 === 0 ? CID_A : CID_B })))
    await first.put(newPin(CID_A, { ...defaultPinOptions(), name: 'last' }))
    const digest = await first.digest()
    await first.close()
    const second = await createPinset({ path: dir, shards: 8 }, { logger })
    expect(await second.get(CID_A)).toMatchObject({ cid: CID_A, type: 'pin', name: 'last' })
    expect(await second.has(CID_B)).toBe(true)
    expect(await second.digest()).toBe(digest)
    await second.close()
    await expect(second.put(newPin(CID_B, defaultPinOptions()))).rejects.toThrow(/closed/)
  })

  it('keeps every write across the periodic merge of stored updates', async () => {
    const { cidFor } = await import('../bench/util.js')
    const first = await createPinset({ path: dir, shards: 1, batching: { max_batch_size: 1, max_batch_age: 0 } }, { logger })
    for (let i = 0; i < 1100; i++) await first.put(newPin(cidFor(i), defaultPinOptions()))
    const digest = await first.digest()
    await first.close()
    const second = await createPinset({ path: dir, shards: 1 }, { logger })
    expect(await second.size()).toBe(1100)
    expect(await second.digest()).toBe(digest)
    await second.put(newPin(CID_A, defaultPinOptions()))
    await second.close()
    const third = await createPinset({ path: dir, shards: 1 }, { logger })
    expect(await third.size()).toBe(1101)
    await third.close()
  })

  it('splits a large commit into gossip messages of at most max_message_size that rebuild the state', async () => {
    const { cidFor } = await import('../bench/util.js')
    const max = 64 * 1024
    const source = await createPinset({ path: dir, shards: 2, max_message_size: max, batching: { max_batch_size: 2000, max_batch_age: 50 } }, { logger })
    const messages: Uint8Array[] = []
    source.internals.pinset.onCommit = (updates) => messages.push(...packUpdates(2, updates, max))
    const meta = { blob: 'x'.repeat(1000) }
    await Promise.all(Array.from({ length: 2000 }, (_, i) => source.put(newPin(cidFor(i), { ...defaultPinOptions(), metadata: meta }))))
    expect(messages.length).toBeGreaterThan(30)
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(max)
    const otherDir = await mkdtemp(join(tmpdir(), 'pinmesh-pinset-'))
    const replica = await createPinset({ path: otherDir, shards: 2 }, { logger })
    for (const m of messages.reverse()) {
      const decoded = wire.decodeGossip(m, 2)
      if (decoded.type === 'update') await replica.internals.pinset.applyRemote(decoded.updates, 'gossip')
    }
    expect(await replica.digest()).toBe(await source.digest())
    expect(await replica.size()).toBe(2000)
    await replica.close()
    await source.close()
    await rm(otherDir, { recursive: true, force: true })
  })

  it('refuses a state with another shard count with a clear error', async () => {
    const first = await createPinset({ path: dir, shards: 8 }, { logger })
    await first.put(newPin(CID_A, defaultPinOptions()))
    await first.close()
    const err = await createPinset({ path: dir, shards: 16 }, { logger }).catch((e) => e)
    expect(err).toBeInstanceOf(StateFormatError)
    expect(err.message).toMatch(new RegExp(`8 shards.*expects version ${FORMAT_VERSION} with 16 shards`))
    const again = await createPinset({ path: dir, shards: 8 }, { logger })
    expect(await again.has(CID_A)).toBe(true)
    await again.close()
  })

  it('rejects writes with QueueFullError when the queue is full', async () => {
    const pinset = await createPinset({ path: dir, shards: 2, batching: { max_batch_size: 2, max_queue_size: 2, max_batch_age: 50 } }, { logger })
    const a = pinset.put(newPin(CID_A, defaultPinOptions()))
    const b = pinset.put(newPin(CID_B, defaultPinOptions()))
    const err = await pinset.put(newPin(CID_A, { ...defaultPinOptions(), name: 'x' })).catch((e) => e)
    expect(err).toBeInstanceOf(QueueFullError)
    expect(err.message).toMatch(/queue is full/)
    await Promise.all([a, b])
    expect(await pinset.has(CID_A)).toBe(true)
    expect((await pinset.get(CID_A))?.name).toBe('')
    await pinset.close()
  })

  it('round-trips pins through the compact value encoding', () => {
    const full = {
      ...newPin(CID_A, { ...defaultPinOptions(), name: 'x', replication_factor_min: 2, replication_factor_max: 3, metadata: { a: 'b' }, mode: 'direct' }),
      allocations: ['12D3KooWAbc'],
    }
    for (const pin of [newPin(CID_B, defaultPinOptions()), full]) {
      const value = encodeValue(pin)
      expect(value).not.toContain(pin.cid)
      const back = decodeValue(pin.cid, value)
      expect(back).toEqual({ ...pin, user_allocations: back.user_allocations })
      expect(encodeValue(back)).toBe(value)
    }
    expect(encodeValue(newPin(CID_B, defaultPinOptions())).length).toBeLessThan(50)
  })
})

describe('parsePinsetConfig', () => {
  it('reads upstream key names and Go durations', () => {
    const c = parsePinsetConfig(
      { cluster_name: 'c1', trusted_peers: ['12D3KooWA'], batching: { max_batch_size: 10, max_batch_age: '25ms', max_queue_size: 100 } },
      'consensus.crdt',
      '/tmp/x',
    )
    expect(c).toMatchObject({
      cluster_name: 'c1',
      trusted_peers: ['12D3KooWA'],
      batching: { max_batch_size: 10, max_batch_age: 25, max_queue_size: 100 },
      shards: 64,
    })
  })

  it("loads upstream's default service.json section (batching off, extra keys)", () => {
    const upstream = {
      cluster_name: 'ipfs-cluster',
      trusted_peers: ['*'],
      batching: { max_batch_size: 0, max_batch_age: '0s', max_queue_size: 50000 },
      repair_interval: '1h0m0s',
      rebroadcast_interval: '1m0s',
    }
    expect(parsePinsetConfig(upstream, 'consensus.crdt', '/tmp/x').batching).toEqual({ max_batch_size: 1000, max_batch_age: 20, max_queue_size: 50000 })
  })

  it("treats upstream's 0 batching values as the defaults", () => {
    const c = parsePinsetConfig({ batching: { max_batch_size: 0, max_batch_age: '0s' } }, 'consensus.crdt', '/tmp/x')
    expect(c.batching.max_batch_size).toBeGreaterThan(0)
    expect(c.batching.max_batch_age).toBeGreaterThan(0)
  })

  it('names the bad key in errors', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ batching: { max_batch_age: 'soon' } }, /consensus\.crdt\.batching\.max_batch_age/],
      [{ batching: { max_batch_size: -1 } }, /consensus\.crdt\.batching\.max_batch_size/],
      [{ shards: 12 }, /consensus\.crdt\.shards must be a power of two/],
      [{ trusted_peers: 'x' }, /consensus\.crdt\.trusted_peers/],
      [{ batching: 3 }, /consensus\.crdt\.batching must be an object/],
    ]
    for (const [value, re] of bad) {
      let err: unknown
      try {
        parsePinsetConfig(value, 'consensus.crdt', '/tmp/x')
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(InvalidConfigError)
      expect((err as Error).message).toMatch(re)
    }
  })
})
