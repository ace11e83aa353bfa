/**
 * The in-memory shards: one `Y.Doc` per shard with one `Y.Map` (`pins`) from CID to encoded
 * pin. Turns Yjs map events into typed `PinsetChange` events and keeps a cached hash per shard
 * (SHA-256 of its snapshot: state vector + delete set) for the digest.
 */
import { createHash } from 'node:crypto'
import type { Pin, PinsetChange } from '@pinmesh/interface'
import * as Y from 'yjs'
import { decodeValue } from './codec.js'
import { MAP_NAME } from './wire.js'

/** Transaction origins. */
export const LOCAL = Symbol('local')
export const REMOTE = Symbol('remote')

export interface Shard {
  doc: Y.Doc
  map: Y.Map<string>
  hash: Uint8Array | undefined
}

export class Shards {
  readonly list: Shard[]
  private root: Uint8Array | undefined
  /** Live pins, kept by the map observers (Y.Map.size walks every entry). */
  private live = 0

  constructor(
    docs: Y.Doc[],
    private readonly emit: ((change: PinsetChange) => void) | undefined,
    private readonly wantsEvents: () => boolean,
  ) {
    this.list = docs.map((doc) => {
      const shard: Shard = { doc, map: doc.getMap<string>(MAP_NAME), hash: undefined }
      doc.on('update', () => {
        shard.hash = undefined
        this.root = undefined
      })
      shard.map.observe((event, tx) => this.onChange(shard, event, tx))
      this.live += shard.map.size
      return shard
    })
  }

  private onChange(shard: Shard, event: Y.YMapEvent<string>, tx: Y.Transaction): void {
    for (const change of event.changes.keys.values()) {
      if (change.action === 'add') this.live++
      else if (change.action === 'delete') this.live--
    }
    if (this.emit === undefined || !this.wantsEvents()) return
    const origin = tx.origin === LOCAL ? 'local' : 'remote'
    for (const [cid, change] of event.changes.keys) {
      const value = shard.map.get(cid)
      let previous: Pin | undefined
      let pin: Pin | undefined
      try {
        previous = change.oldValue === undefined ? undefined : decodeValue(cid, change.oldValue)
        pin = value === undefined ? undefined : decodeValue(cid, value)
      } catch {
        continue
      }
      if (change.action === 'delete') {
        if (previous !== undefined) this.emit({ type: 'removed', cid, previous, origin })
      } else if (change.action === 'update' && previous !== undefined && pin !== undefined) {
        if (change.oldValue !== value) this.emit({ type: 'updated', cid, pin, previous, origin })
      } else if (pin !== undefined) {
        this.emit({ type: 'added', cid, pin, origin })
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

  size(): number {
    return this.live
  }

  destroy(): void {
    for (const s of this.list) s.doc.destroy()
  }
}
