/**
 * The on-disk state: one y-leveldb database holding one Yjs document per shard
 * (`shard-<i>`) and a format header (`__pinmesh` / `format`). Opening a state whose header
 * names another shard count or format version fails with `StateFormatError`.
 */
import { mkdir } from 'node:fs/promises'
import { StateFormatError } from '@pinmesh/interface'
import { Level } from 'level'
import { getCurrentUpdateClock, LeveldbPersistence } from 'y-leveldb'
import * as Y from 'yjs'
import { FORMAT_VERSION } from './defaults.js'

const META_DOC = '__pinmesh'
const FORMAT_KEY = 'format'
/** Stored updates of one shard after which its updates are merged into one. */
const FLUSH_AFTER = 500

export interface FormatHeader {
  version: number
  shards: number
}

export function shardName(i: number): string {
  return `shard-${i}`
}

type Db = { batch(ops: Array<{ type: 'put'; key: unknown; value: Uint8Array }>): Promise<void> }

export class ShardStore {
  private readonly stored: number[]
  /** The clock of each shard's last stored update (y-leveldb's key layout). */
  private readonly clocks: number[]
  private constructor(
    private readonly persistence: LeveldbPersistence,
    readonly header: FormatHeader,
  ) {
    this.stored = new Array(header.shards).fill(0)
    this.clocks = new Array(header.shards).fill(-1)
  }

  private transact<T>(fn: (db: Db) => Promise<T>): Promise<T | null> {
    return (this.persistence as unknown as { _transact(f: (db: Db) => Promise<T>): Promise<T | null> })._transact(fn)
  }

  /** Opens the database, writing the header on first use and checking it afterwards. */
  static async open(path: string, shards: number): Promise<ShardStore> {
    await mkdir(path, { recursive: true })
    const persistence = new LeveldbPersistence(path, { Level })
    const found = (await persistence.getMeta(META_DOC, FORMAT_KEY)) as FormatHeader | undefined | null
    const header: FormatHeader = { version: FORMAT_VERSION, shards }
    if (found === undefined || found === null) {
      const names = await persistence.getAllDocNames()
      if (names.some((n) => n !== META_DOC)) {
        await persistence.destroy()
        throw new StateFormatError(`state at ${path} has no format header (written by an older pinmesh); export it with the old version and import it`)
      }
      await persistence.setMeta(META_DOC, FORMAT_KEY, header)
      if ((await persistence.getMeta(META_DOC, FORMAT_KEY)) == null) {
        await persistence.destroy()
        throw new StateFormatError(`could not write the format header at ${path}`)
      }
    } else if (found.version !== FORMAT_VERSION || found.shards !== shards) {
      await persistence.destroy()
      throw new StateFormatError(
        `state at ${path} has format version ${found.version} with ${found.shards} shards; this peer expects version ${FORMAT_VERSION} with ${shards} shards (set consensus.crdt.shards to ${found.shards}, or export and re-import the state to change it)`,
      )
    }
    return new ShardStore(persistence, header)
  }

  async load(shard: number): Promise<Y.Doc> {
    const name = shardName(shard)
    const doc = await this.persistence.getYDoc(name)
    if (doc === null) throw new StateFormatError(`could not read shard ${shard}`)
    let clock = await this.transact((db) => getCurrentUpdateClock(db, name))
    if (clock === -1) {
      // y-leveldb writes a shard's state-vector record with its first update; do that now.
      clock = await this.persistence.storeUpdate(name, Y.encodeStateAsUpdate(new Y.Doc()))
    }
    if (typeof clock !== 'number') throw new StateFormatError(`could not read the update clock of shard ${shard}`)
    this.clocks[shard] = clock
    return doc
  }

  /**
   * Appends the updates of one commit to their shards' logs in ONE LevelDB batch (atomic), with
   * y-leveldb's key layout so y-leveldb loads them. y-leveldb swallows storage errors (logs and
   * resolves `null`), so a missing result is turned back into an error here.
   */
  async append(updates: Array<{ shard: number; update: Uint8Array }>): Promise<void> {
    if (updates.length === 0) return
    const ok = await this.transact(async (db) => {
      const ops = updates.map((u) => {
        const clock = (this.clocks[u.shard] as number) + 1
        this.clocks[u.shard] = clock
        return { type: 'put' as const, key: ['v1', shardName(u.shard), 'update', clock], value: u.update }
      })
      await db.batch(ops)
      return true
    })
    if (ok !== true) throw new Error('could not persist a pinset commit (LevelDB write failed)')
    for (const u of updates) {
      this.stored[u.shard] = (this.stored[u.shard] as number) + 1
      if ((this.stored[u.shard] as number) >= FLUSH_AFTER) {
        this.stored[u.shard] = 0
        void this.flush(u.shard)
      }
    }
  }

  /** Merges a shard's stored updates into one (y-leveldb's flush), then re-reads its clock. */
  private async flush(shard: number): Promise<void> {
    const name = shardName(shard)
    // Both run in y-leveldb's transaction queue, in this order, before any later append.
    const flushed = this.persistence.flushDocument(name)
    const refreshed = this.transact(async (db) => {
      this.clocks[shard] = await getCurrentUpdateClock(db, name)
      return true
    })
    await Promise.all([flushed, refreshed])
  }

  async close(): Promise<void> {
    await this.persistence.destroy()
  }
}
