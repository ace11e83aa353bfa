/**
 * The on-disk state: one y-leveldb database holding one Yjs document per shard
 * (`pins-<i>`) and a format header (`__pinmesh` / `format`). Opening a state whose header
 * names another shard count or an unknown format version fails with `StateFormatError`;
 * a version-1 state (one `Y.Map` per shard in `shard-<i>`) is migrated on open.
 */
import { mkdir } from 'node:fs/promises'
import { StateFormatError } from '@pinmesh/interface'
import { Level } from 'level'
import { getCurrentUpdateClock, LeveldbPersistence } from 'y-leveldb'
import * as Y from 'yjs'
import { decodeValue, encodeValue } from './codec.js'
import { FORMAT_VERSION } from './defaults.js'
import { ARRAY_NAME } from './wire.js'

const META_DOC = '__pinmesh'
const FORMAT_KEY = 'format'
/** Stored updates of one shard after which its updates are merged into one. */
const FLUSH_AFTER = 500

export interface FormatHeader {
  version: number
  shards: number
}

/** A storage error's message with its cause (LevelDB wraps the I/O error, e.g. ENOSPC). */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return 'LevelDB write failed'
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message
}

export function shardName(i: number): string {
  return `pins-${i}`
}

/** Document names of format version 1. */
function v1ShardName(i: number): string {
  return `shard-${i}`
}

/**
 * Migrates a version-1 state (a `Y.Map` from CID to JSON value per shard, documents
 * `shard-<i>`) to version 2 (entries in a `Y.Array`, documents `pins-<i>`). Each new document
 * is written from scratch, the header changes only when all are written, and the old documents
 * are removed after that, so a crash at any point leaves a state that migrates again or is done.
 */
async function migrateV1(persistence: LeveldbPersistence, shards: number, log: (msg: string) => void): Promise<void> {
  let pins = 0
  for (let i = 0; i < shards; i++) {
    const old = await persistence.getYDoc(v1ShardName(i))
    const entries: string[] = []
    for (const [key, value] of old.getMap<string>('pins')) entries.push(key + encodeValue(decodeValue(key, value)))
    old.destroy()
    const doc = new Y.Doc()
    if (entries.length > 0) doc.getArray<string>(ARRAY_NAME).push(entries)
    await persistence.clearDocument(shardName(i))
    await persistence.storeUpdate(shardName(i), Y.encodeStateAsUpdate(doc))
    doc.destroy()
    pins += entries.length
  }
  await persistence.setMeta(META_DOC, FORMAT_KEY, { version: FORMAT_VERSION, shards })
  await removeV1Documents(persistence)
  log(`migrated ${pins} pins from state format 1 to ${FORMAT_VERSION}`)
}

async function removeV1Documents(persistence: LeveldbPersistence): Promise<void> {
  for (const name of await persistence.getAllDocNames()) if (/^shard-\d+$/.test(name)) await persistence.clearDocument(name)
}

type Db = { batch(ops: Array<{ type: 'put'; key: unknown; value: Uint8Array }>): Promise<void>; open(): Promise<void> }

export class ShardStore {
  private readonly stored: number[]
  /** The clock of each shard's last stored update (y-leveldb's key layout). */
  private readonly clocks: number[]
  /**
   * Set when a write failed (e.g. disk full). LevelDB may have left a partial record at the end
   * of its log, and records appended after it would be dropped when the log is replayed; the
   * database is reopened (which replays and rotates the log) before the next write.
   */
  private failed = false
  private constructor(
    private persistence: LeveldbPersistence,
    readonly header: FormatHeader,
    private readonly path: string,
  ) {
    this.stored = new Array(header.shards).fill(0)
    this.clocks = new Array(header.shards).fill(-1)
  }

  private transact<T>(fn: (db: Db) => Promise<T>): Promise<T | null> {
    return (this.persistence as unknown as { _transact(f: (db: Db) => Promise<T>): Promise<T | null> })._transact(fn)
  }

  /** Opens the database, writing the header on first use and checking it afterwards. */
  static async open(path: string, shards: number, log: (msg: string) => void = () => {}): Promise<ShardStore> {
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
    } else if (found.version === 1 && found.shards === shards) {
      try {
        await migrateV1(persistence, shards, log)
      } catch (err) {
        await persistence.destroy()
        throw new StateFormatError(`could not migrate the state at ${path} from format 1: ${(err as Error).message}`)
      }
    } else if (found.version !== FORMAT_VERSION || found.shards !== shards) {
      await persistence.destroy()
      throw new StateFormatError(
        `state at ${path} has format version ${found.version} with ${found.shards} shards; this peer expects version ${FORMAT_VERSION} with ${shards} shards (set consensus.crdt.shards to ${found.shards}, or export and re-import the state to change it)`,
      )
    } else {
      await removeV1Documents(persistence) // left behind when a migration was interrupted after its header
    }
    return new ShardStore(persistence, header, path)
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
    if (this.failed) await this.reopen()
    const ok = await this.transact(async (db) => {
      const ops = updates.map((u) => {
        const clock = (this.clocks[u.shard] as number) + 1
        this.clocks[u.shard] = clock
        return { type: 'put' as const, key: ['v1', shardName(u.shard), 'update', clock], value: u.update }
      })
      // Returned, not thrown: y-leveldb would swallow it, and the caller must see the cause (e.g. ENOSPC).
      return db.batch(ops).then(
        () => true,
        (err: unknown) => err,
      )
    })
    if (ok !== true) {
      this.failed = true
      throw new Error(`could not persist a pinset commit: ${errorText(ok)}`, { cause: ok })
    }
    for (const u of updates) {
      this.stored[u.shard] = (this.stored[u.shard] as number) + 1
      if ((this.stored[u.shard] as number) >= FLUSH_AFTER) {
        this.stored[u.shard] = 0
        void this.flush(u.shard)
      }
    }
  }

  /** Reopens the database after a failed write and re-reads the update clocks of loaded shards. */
  private async reopen(): Promise<void> {
    await this.persistence.destroy()
    this.persistence = new LeveldbPersistence(this.path, { Level })
    const opened = await this.transact((db) =>
      db.open().then(
        () => true,
        (err: unknown) => err,
      ),
    )
    if (opened !== true) throw new Error(`could not reopen the pinset storage at ${this.path}: ${errorText(opened)}`, { cause: opened })
    for (let shard = 0; shard < this.clocks.length; shard++) {
      if ((this.clocks[shard] as number) < 0) continue
      // Returned, not thrown, for the same reason as in append().
      const clock = await this.transact((db) =>
        getCurrentUpdateClock(db, shardName(shard)).then(
          (c: number) => c,
          (err: unknown) => err,
        ),
      )
      if (typeof clock !== 'number') throw new Error(`could not reopen the pinset storage at ${this.path}: ${errorText(clock)}`, { cause: clock })
      this.clocks[shard] = clock
    }
    this.failed = false
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
