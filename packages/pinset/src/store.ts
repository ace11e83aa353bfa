/**
 * The on-disk state: one y-leveldb database holding one Yjs document per shard
 * (`shard-<i>`) and a format header (`__pinmesh` / `format`). Opening a state whose header
 * names another shard count or format version fails with `StateFormatError`.
 */
import { mkdir } from 'node:fs/promises'
import { StateFormatError } from '@pinmesh/interface'
import { Level } from 'level'
import { LeveldbPersistence } from 'y-leveldb'
import type * as Y from 'yjs'
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

export class ShardStore {
  private readonly stored: number[]
  private readonly flushing = new Set<number>()
  private constructor(
    private readonly persistence: LeveldbPersistence,
    readonly header: FormatHeader,
  ) {
    this.stored = new Array(header.shards).fill(0)
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
    const doc = await this.persistence.getYDoc(shardName(shard))
    if (doc === null) throw new StateFormatError(`could not read shard ${shard}`)
    return doc
  }

  /**
   * Appends an update to a shard's log. y-leveldb swallows storage errors (it logs them and
   * resolves `null`), so a missing clock is turned back into an error here.
   */
  async append(shard: number, update: Uint8Array): Promise<void> {
    const clock = await this.persistence.storeUpdate(shardName(shard), update)
    if (typeof clock !== 'number') throw new Error(`could not persist an update of shard ${shard}`)
    this.stored[shard] = (this.stored[shard] as number) + 1
    if ((this.stored[shard] as number) >= FLUSH_AFTER && !this.flushing.has(shard)) {
      this.flushing.add(shard)
      this.stored[shard] = 0
      void this.persistence.flushDocument(shardName(shard)).finally(() => this.flushing.delete(shard))
    }
  }

  async close(): Promise<void> {
    await this.persistence.destroy()
  }
}
