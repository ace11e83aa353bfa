/**
 * @pinmesh/pinset — the shared pinset as a Yjs CRDT persisted with y-leveldb.
 *
 * This is the foundation's minimal version: one `Y.Doc` with one `Y.Map` from CID to the
 * JSON-encoded Pin, every write persisted before its promise resolves. The pinset issue replaces
 * it with sharded docs, group commit, gossip and anti-entropy behind the same `Pinset` contract.
 *
 * @example
 * ```ts
 * const pinset = await createPinset({ path: '/var/lib/pinmesh/pinset' })
 * await pinset.put(pin)        // durable when it resolves
 * for await (const p of pinset.list()) console.log(p.cid)
 * ```
 */
import { createHash } from 'node:crypto'
import type { AbortOptions, Pin, Pinset, PinsetChange } from '@pinmesh/interface'
import { ClosedError, decodePin, encodePin, parseJson, stringifyJson } from '@pinmesh/interface'
import { Level } from 'level'
import { LeveldbPersistence } from 'y-leveldb'
import * as Y from 'yjs'

export interface PinsetInit {
  /** Folder for the LevelDB state. */
  path: string
}

const DOC = 'pinset'

class LevelPinset implements Pinset {
  private closed = false
  private readonly events = new EventTarget()
  private constructor(
    private readonly persistence: LeveldbPersistence,
    private readonly doc: Y.Doc,
    private readonly map: Y.Map<string>,
  ) {
    map.observe((event, tx) => {
      const origin = tx.local ? 'local' : 'remote'
      for (const [cid, change] of event.changes.keys) {
        const value = map.get(cid)
        const previous = change.oldValue === undefined ? undefined : decodeStored(change.oldValue as string)
        let detail: PinsetChange
        if (change.action === 'delete' && previous !== undefined) detail = { type: 'removed', cid, previous, origin }
        else if (change.action === 'update' && previous !== undefined && value !== undefined)
          detail = { type: 'updated', cid, pin: decodeStored(value), previous, origin }
        else if (value !== undefined) detail = { type: 'added', cid, pin: decodeStored(value), origin }
        else continue
        this.events.dispatchEvent(new CustomEvent('change', { detail }))
      }
    })
  }

  static async open(init: PinsetInit): Promise<LevelPinset> {
    const persistence = new LeveldbPersistence(init.path, { Level })
    const doc = await persistence.getYDoc(DOC)
    return new LevelPinset(persistence, doc, doc.getMap<string>('pins'))
  }

  async ready(): Promise<void> {}

  private async write(fn: () => void): Promise<void> {
    if (this.closed) throw new ClosedError('pinset is closed')
    let update: Uint8Array | undefined
    const capture = (u: Uint8Array) => {
      update = u
    }
    this.doc.on('update', capture)
    try {
      this.doc.transact(fn)
    } finally {
      this.doc.off('update', capture)
    }
    if (update !== undefined) await this.persistence.storeUpdate(DOC, update)
  }

  async put(pin: Pin, _options?: AbortOptions): Promise<void> {
    const value = stringifyJson(encodePin(pin))
    await this.write(() => this.map.set(pin.cid, value))
  }

  async remove(cid: string, _options?: AbortOptions): Promise<void> {
    if (!this.map.has(cid)) return
    await this.write(() => this.map.delete(cid))
  }

  async get(cid: string): Promise<Pin | undefined> {
    const v = this.map.get(cid)
    return v === undefined ? undefined : decodeStored(v)
  }

  async has(cid: string): Promise<boolean> {
    return this.map.has(cid)
  }

  async *list(options?: AbortOptions): AsyncIterable<Pin> {
    for (const value of this.map.values()) {
      options?.signal?.throwIfAborted()
      yield decodeStored(value)
    }
  }

  async size(): Promise<number> {
    return this.map.size
  }

  async digest(): Promise<string> {
    return createHash('sha256').update(Y.encodeStateVector(this.doc)).digest('hex')
  }

  addEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.events.addEventListener(type, listener as (event: Event) => void)
  }

  removeEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.events.removeEventListener(type, listener as (event: Event) => void)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.persistence.destroy()
  }
}

function decodeStored(value: string): Pin {
  return decodePin(parseJson(value))
}

/** Opens (or creates) the pinset stored under `init.path`. */
export async function createPinset(init: PinsetInit): Promise<Pinset> {
  return LevelPinset.open(init)
}
