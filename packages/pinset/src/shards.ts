/**
 * The in-memory shards: one `Y.Doc` per shard holding one `Y.Array` (`pins`) of entries
 * (`codec.ts`: CID string + encoded value), plus a `Map` index from CID to the live
 * element(s) of that CID. Turns each transaction's inserted and deleted elements into typed
 * `PinsetChange` events and keeps a cached hash per shard (SHA-256 of its snapshot: state
 * vector + delete set) for the digest.
 *
 * Why an array and not a `Y.Map` keyed by CID: Yjs keeps every deleted map key forever (the
 * `Item` and the key, ~320 B per unpinned CID), while deleted array elements are
 * garbage-collected to `ContentDeleted` runs that merge with their neighbours, and live
 * elements written together share one `Item` (`ContentAny` holding many entries). A pin then
 * costs its entry string plus an index slot, and a deleted pin costs next to nothing.
 * Conflicts: a put deletes every live element of its CID that the writer has seen and appends
 * a new one; concurrent puts of one CID leave several live elements, and every replica picks
 * the same winner (highest Yjs client ID, then highest clock).
 */
import { createHash } from 'node:crypto'
import type { PinsetChange } from '@pinmesh/interface'
import * as Y from 'yjs'
import { entryKey, readEntry } from './codec.js'
import { ARRAY_NAME } from './wire.js'

/** Transaction origins. */
export const LOCAL = Symbol('local')
export const REMOTE = Symbol('remote')

// Yjs merges adjacent `ContentAny` runs with `concat`, which copies the left run: appending
// one commit after another to a long run would cost O(run length) per commit. Appending in
// place makes it O(entries appended). Frozen arrays (Yjs' development mode) keep `concat`.
// Nothing else holds a run's array (`copy()` is used by the UndoManager only, which we don't use).
const contentAny = Y.ContentAny.prototype as unknown as { mergeWith(right: Y.ContentAny): boolean; arr: unknown[] }
contentAny.mergeWith = function mergeWith(this: { arr: unknown[] }, right: Y.ContentAny): boolean {
  const add = (right as unknown as { arr: unknown[] }).arr
  if (this.arr.length < 64 || Object.isFrozen(this.arr)) this.arr = this.arr.concat(add)
  else for (let i = 0; i < add.length; i++) this.arr.push(add[i])
  return true
}

/** A live element as (client index, clock) packed in one number (a small integer when it fits). */
type Ref = number
const SMALL = 2 ** 31
const CLOCK_BITS = 2 ** 24
const WIDE = 2 ** 32

interface StructRef {
  client: number
  clock: number
}

export class Shard {
  readonly array: Y.Array<string>
  /** CID → its live element, or several when concurrent puts of the CID are both live. */
  readonly index = new Map<string, Ref | Ref[]>()
  hash: Uint8Array | undefined
  /** Last element this replica appended; new runs go after it (or after whatever follows it). */
  private tail: StructRef | undefined
  private readonly clients: number[] = []
  private readonly clientIndex = new Map<number, number>()

  constructor(readonly doc: Y.Doc) {
    this.array = doc.getArray<string>(ARRAY_NAME)
    for (let item = this.array._start; item !== null; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentAny)) continue
      const arr = item.content.arr as string[]
      for (let i = 0; i < arr.length; i++) this.addRef(entryKey(arr[i] as string), item.id.client, item.id.clock + i)
    }
  }

  private pack(client: number, clock: number): Ref {
    let idx = this.clientIndex.get(client)
    if (idx === undefined) {
      idx = this.clients.length
      this.clients.push(client)
      this.clientIndex.set(client, idx)
    }
    return idx < 128 && clock < CLOCK_BITS ? idx * CLOCK_BITS + clock : SMALL + idx * WIDE + clock
  }

  private unpack(ref: Ref): StructRef {
    if (ref < SMALL) return { client: this.clients[ref >>> 24] as number, clock: ref & (CLOCK_BITS - 1) }
    const p = ref - SMALL
    const idx = Math.floor(p / WIDE)
    return { client: this.clients[idx] as number, clock: p - idx * WIDE }
  }

  addRef(key: string, client: number, clock: number): void {
    const ref = this.pack(client, clock)
    const found = this.index.get(key)
    if (found === undefined) this.index.set(key, ref)
    else if (typeof found === 'number') this.index.set(key, [found, ref])
    else found.push(ref)
  }

  removeRef(key: string, client: number, clock: number): void {
    const ref = this.pack(client, clock)
    const found = this.index.get(key)
    if (found === undefined) return
    if (typeof found === 'number') {
      if (found === ref) this.index.delete(key)
      return
    }
    const rest = found.filter((r) => r !== ref)
    this.index.set(key, rest.length === 1 ? (rest[0] as Ref) : rest)
  }

  /** The entry a struct reference points at (the element must be integrated). */
  private entryAt(at: StructRef): string {
    const structs = this.doc.store.clients.get(at.client) as Array<Y.Item | Y.GC>
    const item = structs[Y.findIndexSS(structs, at.clock)] as Y.Item
    return (item.content as Y.ContentAny).arr[at.clock - item.id.clock] as string
  }

  /** The winning live element of a CID: highest client ID, then highest clock. */
  private winner(found: Ref | Ref[]): StructRef {
    if (typeof found === 'number') return this.unpack(found)
    let best = this.unpack(found[0] as Ref)
    for (let i = 1; i < found.length; i++) {
      const at = this.unpack(found[i] as Ref)
      if (at.client > best.client || (at.client === best.client && at.clock > best.clock)) best = at
    }
    return best
  }

  /** The current entry of a CID, or undefined. */
  entry(key: string): string | undefined {
    const found = this.index.get(key)
    return found === undefined ? undefined : this.entryAt(this.winner(found))
  }

  /** True when `key` has exactly one live element and it equals `entry`. */
  holds(key: string, entry: string): boolean {
    const found = this.index.get(key)
    return typeof found === 'number' && this.entryAt(this.unpack(found)) === entry
  }

  /** Deletes every live element of `key` inside transaction `tr`. */
  deleteKey(tr: Y.Transaction, key: string): void {
    const found = this.index.get(key)
    if (found === undefined) return
    for (const ref of typeof found === 'number' ? [found] : [...found]) {
      const at = this.unpack(ref)
      Y.getItemCleanStart(tr, at as Y.ID)
      const item = Y.getItemCleanEnd(tr, this.doc.store, at as Y.ID)
      if (!item.deleted) item.delete(tr)
    }
  }

  /** Appends `entries` as one run after the last element, inside transaction `tr`. */
  append(tr: Y.Transaction, entries: string[]): void {
    const left = this.last()
    const client = this.doc.clientID
    const item = new Y.Item(
      Y.createID(client, Y.getState(this.doc.store, client)),
      left,
      left === null ? null : left.lastId,
      null,
      null,
      this.array as unknown as Y.AbstractType<unknown>,
      null,
      new Y.ContentAny(entries),
    )
    item.integrate(tr, 0)
    this.tail = { client, clock: item.id.clock + entries.length - 1 }
  }

  /** The last element of the array (deleted or not), found from our last append. */
  private last(): Y.Item | null {
    let item: Y.Item | null
    if (this.tail === undefined) item = this.array._start
    else {
      const structs = this.doc.store.clients.get(this.tail.client) as Y.Item[]
      item = structs[Y.findIndexSS(structs, this.tail.clock)] as Y.Item
    }
    if (item === null) return null
    while (item.right !== null) item = item.right
    return item
  }

  /** Live entries, one per CID (a snapshot of the index, so writes may go on meanwhile). */
  *entries(): Generator<string> {
    for (const found of [...this.index.values()]) {
      try {
        yield this.entryAt(this.winner(found))
      } catch {
        // removed since the snapshot was taken
      }
    }
  }
}

export class Shards {
  readonly list: Shard[]
  private root: Uint8Array | undefined

  constructor(
    docs: Y.Doc[],
    private readonly emit: ((change: PinsetChange) => void) | undefined,
    private readonly wantsEvents: () => boolean,
  ) {
    this.list = docs.map((doc) => {
      const shard = new Shard(doc)
      // Not the doc's `update` event: listening to it makes Yjs encode every transaction.
      doc.on('afterTransaction', (tr: Y.Transaction) => {
        shard.hash = undefined
        this.root = undefined
        this.onTransaction(shard, tr)
      })
      return shard
    })
  }

  /**
   * Updates the index from what a transaction inserted and deleted (runs before Yjs
   * garbage-collects the deleted content) and emits the resulting changes.
   */
  private onTransaction(shard: Shard, tr: Y.Transaction): void {
    const before = tr.beforeState
    const previous = this.emit !== undefined && this.wantsEvents() ? new Map<string, string | undefined>() : undefined
    const touch = (key: string) => {
      if (previous !== undefined && !previous.has(key)) previous.set(key, shard.entry(key))
    }
    Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
      if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) return
      const { client, clock } = struct.id
      if (clock >= (before.get(client) ?? 0)) return // inserted by this transaction: never indexed
      const arr = struct.content.arr as string[]
      for (let i = 0; i < arr.length; i++) {
        const key = entryKey(arr[i] as string)
        touch(key)
        shard.removeRef(key, client, clock + i)
      }
    })
    tr.afterState.forEach((clock, client) => {
      const from = before.get(client) ?? 0
      if (clock <= from) return
      const structs = tr.doc.store.clients.get(client) as Array<Y.Item | Y.GC>
      for (let s = Y.findIndexSS(structs, from); s < structs.length; s++) {
        const item = structs[s] as Y.Item
        if (!(item instanceof Y.Item) || item.deleted || !(item.content instanceof Y.ContentAny)) continue
        const arr = item.content.arr as string[]
        for (let i = Math.max(0, from - item.id.clock); i < arr.length; i++) {
          const key = entryKey(arr[i] as string)
          touch(key)
          shard.addRef(key, client, item.id.clock + i)
        }
      }
    })
    if (previous === undefined || this.emit === undefined) return
    const origin = tr.origin === LOCAL ? 'local' : 'remote'
    for (const [cid, old] of previous) {
      const now = shard.entry(cid)
      if (now === old) continue
      try {
        if (now === undefined) this.emit({ type: 'removed', cid, previous: readEntry(old as string), origin })
        else if (old === undefined) this.emit({ type: 'added', cid, pin: readEntry(now), origin })
        else this.emit({ type: 'updated', cid, pin: readEntry(now), previous: readEntry(old), origin })
      } catch {
        // entries are validated before they are applied; nothing to report for an undecodable one
      }
    }
  }

  get count(): number {
    return this.list.length
  }

  shard(i: number): Shard {
    return this.list[i] as Shard
  }

  /** SHA-256 of a shard's snapshot; cached until the shard changes. */
  hash(i: number): Uint8Array {
    const shard = this.shard(i)
    shard.hash ??= createHash('sha256')
      .update(Y.encodeSnapshot(Y.snapshot(shard.doc)))
      .digest()
    return shard.hash
  }

  /** Merkle root over the shard hashes. */
  rootHash(): Uint8Array {
    if (this.root === undefined) {
      const h = createHash('sha256')
      for (let i = 0; i < this.list.length; i++) h.update(this.hash(i))
      this.root = h.digest()
    }
    return this.root
  }

  /** Per shard, the sum of its state vector (structs integrated, by clock). */
  clocks(): number[] {
    return this.list.map((s) => {
      let sum = 0
      for (const structs of s.doc.store.clients.values()) {
        const last = structs[structs.length - 1]
        if (last !== undefined) sum += last.id.clock + last.length
      }
      return sum
    })
  }

  /** True when some shard holds updates waiting for ones it has not received. */
  hasPending(): boolean {
    return this.list.some((s) => s.doc.store.pendingStructs !== null || s.doc.store.pendingDs !== null)
  }

  size(): number {
    let n = 0
    for (const s of this.list) n += s.index.size
    return n
  }

  destroy(): void {
    for (const s of this.list) s.doc.destroy()
  }
}
