import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PinsetChange } from '@pinmesh/interface'
import { defaultPinOptions, newPin } from '@pinmesh/interface'
import { Level } from 'level'
import { CID } from 'multiformats/cid'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LeveldbPersistence } from 'y-leveldb'
import * as Y from 'yjs'
import { cidFor } from '../bench/util.js'
import { decodeValue, encodeValue, entryKey, locate, readEntry, shardOfMultihash } from '../src/codec.js'
import { createPinset, FORMAT_VERSION, type PinsetNode, shardOf } from '../src/index.js'
import type { ShardUpdate } from '../src/wire.js'

const logger = pino({ level: 'silent' })
const SHARDS = 4

/** Structs (Yjs Items and GC runs) held by all shard docs of a pinset. */
function structCount(p: PinsetNode): number {
  let n = 0
  for (const shard of p.internals.pinset.shards.list) for (const structs of shard.doc.store.clients.values()) n += structs.length
  return n
}

/** Collects a pinset's committed updates so a test decides when another replica sees them. */
function outbox(p: PinsetNode): ShardUpdate[] {
  const out: ShardUpdate[] = []
  p.internals.pinset.onCommit = (updates) => out.push(...updates)
  return out
}

async function deliver(box: ShardUpdate[], to: PinsetNode): Promise<void> {
  const updates = box.splice(0)
  if (updates.length > 0) await to.internals.pinset.applyRemote(updates, 'gossip')
}

describe('pinset layout: entries in a Y.Array per shard', () => {
  const dirs: string[] = []
  const open: PinsetNode[] = []
  let n = 0
  async function pinset(path?: string): Promise<PinsetNode> {
    const dir = path ?? (await mkdtemp(join(tmpdir(), 'pinmesh-layout-')))
    if (path === undefined) dirs.push(dir)
    const p = await createPinset({ path: dir, shards: SHARDS, batching: { max_batch_size: 500 } }, { logger })
    open.push(p)
    return p
  }
  beforeEach(() => {
    n = 0
  })
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close()
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
  })

  it('keeps no per-pin structures for unpinned CIDs, in memory, on disk and on a replica', async () => {
    const a = await pinset()
    const b = await pinset()
    const box = outbox(a)
    const cids = Array.from({ length: 2000 }, (_, i) => cidFor(i + n))
    await Promise.all(cids.map((cid) => a.put(newPin(cid, defaultPinOptions()))))
    await deliver(box, b)
    expect(await b.size()).toBe(2000)
    // Unpin a random-looking half, then the rest.
    await Promise.all(cids.filter((_, i) => (i * 7919) % 2 === 0).map((cid) => a.remove(cid)))
    await deliver(box, b)
    expect(await b.size()).toBe(1000)
    // Fragments are bounded by the live pins, whatever the order of removals.
    expect(structCount(a)).toBeLessThanOrEqual(2 * 1000 + 2 * SHARDS)
    await Promise.all(cids.map((cid) => a.remove(cid)))
    await deliver(box, b)
    expect(await a.size()).toBe(0)
    expect(await b.size()).toBe(0)
    expect(await b.digest()).toBe(await a.digest())
    // A Y.Map would keep 2000 items (one tombstone per CID); deleted runs merge instead.
    expect(structCount(a)).toBeLessThanOrEqual(2 * SHARDS)
    expect(structCount(b)).toBeLessThanOrEqual(2 * SHARDS)
    for (const shard of a.internals.pinset.shards.list) expect(Y.encodeStateAsUpdate(shard.doc).length).toBeLessThan(200)
  })

  it('converges on concurrent puts of one CID and lets a later put or remove settle it', async () => {
    const a = await pinset()
    const b = await pinset()
    const boxA = outbox(a)
    const boxB = outbox(b)
    const cid = cidFor(7)
    const seenByB: PinsetChange[] = []
    b.addEventListener('change', (e) => seenByB.push(e.detail))
    await a.put(newPin(cid, { ...defaultPinOptions(), name: 'from-a' }))
    await b.put(newPin(cid, { ...defaultPinOptions(), name: 'from-b' }))
    await deliver(boxA, b)
    await deliver(boxB, a)
    const winnerA = (await a.get(cid))?.name
    expect(winnerA === 'from-a' || winnerA === 'from-b').toBe(true)
    expect((await b.get(cid))?.name).toBe(winnerA)
    expect(await a.digest()).toBe(await b.digest())
    expect(await a.size()).toBe(1)
    // B saw its own add, then possibly A's value winning.
    expect(seenByB[0]).toMatchObject({ type: 'added', cid, origin: 'local' })
    if (winnerA === 'from-a')
      expect(seenByB[1]).toMatchObject({ type: 'updated', cid, origin: 'remote', pin: { name: 'from-a' }, previous: { name: 'from-b' } })
    // A later put (which saw both) replaces both elements.
    await a.put(newPin(cid, { ...defaultPinOptions(), name: 'settled' }))
    await deliver(boxA, b)
    expect((await b.get(cid))?.name).toBe('settled')
    const list: string[] = []
    for await (const p of b.list()) list.push(`${p.cid}:${p.name}`)
    expect(list).toEqual([`${cid}:settled`])
    // A remove concurrent with a put: the put (unseen by the remover) survives everywhere.
    await a.remove(cid)
    await b.put(newPin(cid, { ...defaultPinOptions(), name: 'concurrent' }))
    await deliver(boxA, b)
    await deliver(boxB, a)
    expect((await a.get(cid))?.name).toBe('concurrent')
    expect((await b.get(cid))?.name).toBe('concurrent')
    expect(await a.digest()).toBe(await b.digest())
    await b.remove(cid)
    await deliver(boxB, a)
    expect(await a.has(cid)).toBe(false)
    expect(seenByB.at(-1)).toMatchObject({ type: 'removed', cid, origin: 'local', previous: { name: 'concurrent' } })
  })

  it('keeps a pin readable across a restart after writes that split and merge runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinmesh-layout-'))
    dirs.push(dir)
    const a = await pinset(dir)
    const cids = Array.from({ length: 300 }, (_, i) => cidFor(1000 + i))
    await Promise.all(cids.map((cid) => a.put(newPin(cid, defaultPinOptions()))))
    await Promise.all(cids.slice(0, 100).map((cid) => a.remove(cid)))
    await Promise.all(cids.slice(200).map((cid) => a.put(newPin(cid, { ...defaultPinOptions(), name: 'v2' }))))
    const digest = await a.digest()
    await a.close()
    open.splice(open.indexOf(a), 1)
    const again = await pinset(dir)
    expect(await again.digest()).toBe(digest)
    expect(await again.size()).toBe(200)
    expect(await again.has(cids[50] as string)).toBe(false)
    expect((await again.get(cids[150] as string))?.name).toBe('')
    expect((await again.get(cids[250] as string))?.name).toBe('v2')
    // Appends after a restart go after the loaded runs.
    await again.put(newPin(cids[0] as string, { ...defaultPinOptions(), name: 'back' }))
    expect((await again.get(cids[0] as string))?.name).toBe('back')
  })

  it('migrates a format-1 state (a Y.Map per shard) on open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinmesh-layout-'))
    dirs.push(dir)
    const old = new LeveldbPersistence(dir, { Level })
    await old.setMeta('__pinmesh', 'format', { version: 1, shards: SHARDS })
    const pins = [
      { cid: cidFor(1), value: '{"timestamp":"2023-11-14T22:13:20Z"}' },
      { cid: cidFor(2), value: '{"name":"two","replication_factor_min":2,"replication_factor_max":3,"timestamp":"2023-11-14T22:13:20Z"}' },
      { cid: cidFor(3), value: '{}' },
    ]
    for (const p of pins) {
      const doc = new Y.Doc()
      doc.getMap<string>('pins').set(p.cid, p.value)
      await old.storeUpdate(`shard-${shardOf(p.cid, SHARDS)}`, Y.encodeStateAsUpdate(doc))
    }
    await old.destroy()
    const migrated = await pinset(dir)
    expect(await migrated.size()).toBe(3)
    expect((await migrated.get(cidFor(1)))?.timestamp).toBe('2023-11-14T22:13:20Z')
    expect(await migrated.get(cidFor(2))).toMatchObject({ name: 'two', replication_factor_min: 2, replication_factor_max: 3 })
    expect((await migrated.get(cidFor(3)))?.timestamp).toBe('0001-01-01T00:00:00Z')
    await migrated.close()
    open.splice(open.indexOf(migrated), 1)
    const check = new LeveldbPersistence(dir, { Level })
    expect(await check.getMeta('__pinmesh', 'format')).toEqual({ version: FORMAT_VERSION, shards: SHARDS })
    expect((await check.getAllDocNames()).filter((name: string) => name.startsWith('shard-'))).toEqual([])
    await check.destroy()
    const reopened = await pinset(dir)
    expect(await reopened.size()).toBe(3)
  })
})

describe('locate (CID → key and shard)', () => {
  /** What locate must answer, computed the slow way. */
  function reference(input: string): { key: string; shard: number } | 'invalid' {
    try {
      const cid = CID.parse(input)
      return { key: cid.toString(), shard: shardOfMultihash(cid.multihash.bytes, 64) }
    } catch {
      return 'invalid'
    }
  }
  function actual(input: string): { key: string; shard: number } | 'invalid' {
    try {
      return locate(input, 64)
    } catch {
      return 'invalid'
    }
  }

  it('agrees with CID.parse on valid, non-canonical and mutated CIDs', () => {
    const inputs: string[] = []
    for (let i = 0; i < 500; i++) {
      const cid = CID.parse(cidFor(i))
      inputs.push(cid.toString(), cid.toV1().toString(), cid.toString().toUpperCase())
      const s = cid.toString()
      const at = 1 + (i % (s.length - 1))
      inputs.push(s.slice(0, at) + (s[at] === 'a' ? 'b' : 'a') + s.slice(at + 1)) // one character changed
      inputs.push(s.slice(0, -1), `${s}a`, `${s}q`) // truncated, extended
    }
    inputs.push(
      'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6',
      'bafkqaaa',
      'b',
      'bafy',
      'not-a-cid',
      'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd!',
    )
    let valid = 0
    for (const input of inputs) {
      const want = reference(input)
      expect(actual(input), input).toEqual(want)
      if (want !== 'invalid') valid++
    }
    expect(valid).toBeGreaterThan(1400)
    expect(valid).toBeLessThan(inputs.length)
  })
})

describe('entries', () => {
  it('reads stored entries exactly as the validating decoder does', () => {
    const decodeEntry = (entry: string) => decodeValue(entryKey(entry), entry.slice(entryKey(entry).length))
    const cid = cidFor(3)
    const pins = [
      newPin(cid, defaultPinOptions()),
      { ...newPin(cid, defaultPinOptions()), timestamp: '0001-01-01T00:00:00Z' },
      {
        ...newPin(cid, { ...defaultPinOptions(), name: 'n', mode: 'direct', metadata: { k: 'v' }, replication_factor_min: 1, replication_factor_max: 2 }),
        allocations: ['12D3KooWAbc'],
      },
    ]
    for (const pin of pins) {
      const entry = cid + encodeValue(pin)
      const fast = readEntry(entry)
      expect(fast).toEqual(decodeEntry(entry))
      expect(JSON.stringify(fast)).toBe(JSON.stringify(decodeEntry(entry)))
      fast.allocations.push('x')
      expect(readEntry(entry).allocations).not.toContain('x')
    }
    expect(encodeValue(pins[0] as (typeof pins)[0])).toMatch(/^@\d{4}-/)
    expect(encodeValue(pins[1] as (typeof pins)[0])).toBe('')
  })
})
