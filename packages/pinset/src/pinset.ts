/**
 * `ShardedPinset`: the `Pinset` contract over sharded Yjs docs with group commit and
 * durable y-leveldb persistence. Networking (gossip, sync) plugs in through `onCommit` and
 * `applyRemote`; without it the pinset runs local-only.
 */
import type { AbortOptions, Pin, Pinset, PinsetChange } from '@pinmesh/interface'
import { ClosedError } from '@pinmesh/interface'
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { type Batch, Batcher } from './batcher.js'
import { encodeValue, locate, readEntry } from './codec.js'
import type { PinsetConfig } from './config.js'
import { LOCAL, REMOTE, Shards } from './shards.js'
import { ShardStore } from './store.js'
import type { ShardUpdate } from './wire.js'
import { validateUpdate, WireError } from './wire.js'

/** Largest sum of key and value bytes in one shard transaction (at most half a gossip message). */
const MAX_TX_BYTES = 512 * 1024

/**
 * A flat copy of a string built by concatenation: V8 keeps `a + b` as a rope, and once Yjs
 * encodes it the rope and its flattened copy would both stay alive next to the key.
 */
function flat(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8')
}

export class ShardedPinset implements Pinset {
  private closed = false
  private readonly events = new EventTarget()
  /**
   * Shards whose in-memory doc holds changes a failed append did not store (e.g. disk full). Their
   * next append stores the shard's full state, so a later update that builds on the lost one is
   * never stored without it (it would not load after a restart).
   */
  private readonly unpersisted = new Set<number>()
  private listeners = 0
  /** Called after every durable local commit with the shard updates it produced. */
  onCommit: ((updates: ShardUpdate[]) => void) | undefined
  readonly batcher: Batcher<ShardUpdate[]>

  private constructor(
    readonly config: PinsetConfig,
    readonly store: ShardStore,
    readonly shards: Shards,
    readonly log: Logger,
  ) {
    this.batcher = new Batcher(
      config.batching,
      (batch) => this.apply(batch),
      (updates) => this.complete(updates),
    )
  }

  static async open(config: PinsetConfig, logger: Logger): Promise<ShardedPinset> {
    const store = await ShardStore.open(config.path, config.shards, (msg) => logger.info({ path: config.path }, msg))
    const docs: Y.Doc[] = []
    try {
      for (let i = 0; i < config.shards; i++) docs.push(await store.load(i))
    } catch (err) {
      await store.close()
      throw err
    }
    let self: ShardedPinset | undefined
    const shards = new Shards(
      docs,
      (change) => self?.dispatch(change),
      () => (self?.listeners ?? 0) > 0,
    )
    self = new ShardedPinset(config, store, shards, logger)
    logger.info({ path: config.path, shards: config.shards }, 'pinset opened')
    return self
  }

  private dispatch(change: PinsetChange): void {
    this.events.dispatchEvent(new CustomEvent('change', { detail: change }))
  }

  /** Applies a batch to the in-memory shards (one Yjs transaction per touched shard); returns the updates to persist. */
  private apply(batch: Batch): ShardUpdate[] {
    // Per shard, the last write of each CID (all writers of a batch are acknowledged together).
    const byShard = new Map<number, Map<string, string | null>>()
    for (let w = 0; w < batch.cids.length; w++) {
      const shard = batch.shards[w] as number
      let last = byShard.get(shard)
      if (last === undefined) {
        last = new Map()
        byShard.set(shard, last)
      }
      last.set(batch.cids[w] as string, batch.values[w] as string | null)
    }
    const updates: ShardUpdate[] = []
    const txBytes = Math.min(MAX_TX_BYTES, this.config.max_message_size / 2)
    for (const [i, last] of byShard) {
      const shard = this.shards.shard(i)
      const { doc } = shard
      const writes = [...last]
      const capture = (update: Uint8Array, origin: unknown) => {
        if (origin === LOCAL) updates.push({ shard: i, update })
      }
      doc.on('update', capture)
      try {
        let at = 0
        while (at < writes.length) {
          doc.transact((tr) => {
            let bytes = 0
            const entries: string[] = []
            while (at < writes.length && bytes < txBytes) {
              const [key, value] = writes[at++] as [string, string | null]
              if (value === null) {
                shard.deleteKey(tr, key)
                continue
              }
              const entry = flat(key + value)
              if (shard.holds(key, entry)) continue
              shard.deleteKey(tr, key)
              entries.push(entry)
              bytes += entry.length
            }
            if (entries.length > 0) shard.append(tr, entries)
          }, LOCAL)
        }
      } finally {
        doc.off('update', capture)
      }
    }
    return updates
  }

  /** Makes an applied batch durable, then hands its updates to gossip. */
  private async complete(updates: ShardUpdate[]): Promise<void> {
    await this.persist(updates)
    if (updates.length > 0) this.onCommit?.(updates)
  }

  /** Appends `updates`, plus the full state of shards a failed append left unstored. */
  private async persist(updates: ShardUpdate[]): Promise<void> {
    const all = [...updates]
    for (const shard of this.unpersisted) all.push({ shard, update: Y.encodeStateAsUpdate(this.shards.shard(shard).doc) })
    try {
      await this.store.append(all)
    } catch (err) {
      for (const u of updates) this.unpersisted.add(u.shard)
      throw err
    }
    for (const u of all) this.unpersisted.delete(u.shard)
  }

  /**
   * Validates and applies shard updates from another peer, then persists them. Throws
   * `WireError` (nothing applied) when any update is malformed.
   */
  async applyRemote(updates: ShardUpdate[], via: 'gossip' | 'sync'): Promise<void> {
    if (this.closed) return
    for (const u of updates) validateUpdate(u.update, u.shard, this.config.shards)
    for (const u of updates) {
      try {
        Y.applyUpdate(this.shards.shard(u.shard).doc, u.update, REMOTE)
      } catch (err) {
        this.log.warn({ err, shard: u.shard, via }, 'could not apply a validated remote update')
        throw new WireError('update-apply')
      }
    }
    await this.persist(updates)
  }

  async ready(): Promise<void> {}

  private check(): void {
    if (this.closed) throw new ClosedError('pinset is closed')
  }

  async put(pin: Pin, options?: AbortOptions): Promise<void> {
    this.check()
    options?.signal?.throwIfAborted()
    const { key, shard } = locate(pin.cid, this.config.shards)
    await this.batcher.stage(key, shard, encodeValue(pin))
  }

  async remove(cid: string, options?: AbortOptions): Promise<void> {
    this.check()
    options?.signal?.throwIfAborted()
    const { key, shard } = locate(cid, this.config.shards)
    await this.batcher.stage(key, shard, null)
  }

  /** The stored entry of a CID, or undefined (also for a malformed CID). */
  private entry(cid: string): string | undefined {
    try {
      const { key, shard } = locate(cid, this.config.shards)
      return this.shards.shard(shard).entry(key)
    } catch {
      return undefined
    }
  }

  async get(cid: string): Promise<Pin | undefined> {
    const entry = this.entry(cid)
    return entry === undefined ? undefined : readEntry(entry)
  }

  async has(cid: string): Promise<boolean> {
    return this.entry(cid) !== undefined
  }

  async *list(options?: AbortOptions): AsyncIterable<Pin> {
    for (const shard of this.shards.list) {
      // Each shard's index is snapshotted when its turn comes, so writes may go on meanwhile.
      for (const entry of shard.entries()) {
        options?.signal?.throwIfAborted()
        yield readEntry(entry)
      }
    }
  }

  async size(): Promise<number> {
    return this.shards.size()
  }

  async digest(): Promise<string> {
    return Buffer.from(this.shards.rootHash()).toString('hex')
  }

  addEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.listeners++
    this.events.addEventListener(type, listener as (event: Event) => void)
  }

  removeEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.listeners = Math.max(0, this.listeners - 1)
    this.events.removeEventListener(type, listener as (event: Event) => void)
  }

  get isClosed(): boolean {
    return this.closed
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.batcher.flush()
    this.closed = true
    await this.store.close()
    this.shards.destroy()
    this.log.info('pinset closed')
  }
}
