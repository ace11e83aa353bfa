/** Test doubles for tracker unit tests: an in-memory pinset and a scriptable IPFS node. */
import type { AbortOptions, IpfsConnector, IpfsPinLsEntry, IpfsPinOptions, Pin, Pinset, PinsetChange } from '@pinmesh/interface'
import { defaultPinOptions, formatTime, NotImplementedError, newPin } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import pino from 'pino'

export const logger = pino({ level: 'silent' })
export const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelfSelfS'
export const OTHER = '12D3KooWOtherOtherOtherOtherOtherOtherOtherOtherOther'

export async function cidOf(text: string): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text))).toString()
}

export function pinOf(
  cid: string,
  opts: { allocations?: string[]; rmin?: number; rmax?: number; timestamp?: number; expireAt?: number; depth?: number } = {},
): Pin {
  const p = newPin(cid, { ...defaultPinOptions(), replication_factor_min: opts.rmin ?? 1, replication_factor_max: opts.rmax ?? 1 })
  p.allocations = opts.allocations ?? [SELF]
  if (opts.timestamp !== undefined) p.timestamp = formatTime(opts.timestamp)
  if (opts.expireAt !== undefined) p.expire_at = formatTime(opts.expireAt)
  if (opts.depth !== undefined) {
    p.max_depth = opts.depth
    p.mode = opts.depth === 0 ? 'direct' : 'recursive'
  }
  return p
}

export class MemoryPinset implements Pinset {
  private readonly events = new EventTarget()
  readonly pins = new Map<string, Pin>()
  failGet: Error | undefined
  async ready() {}
  async put(pin: Pin) {
    const previous = this.pins.get(pin.cid)
    this.pins.set(pin.cid, pin)
    const detail: PinsetChange =
      previous === undefined ? { type: 'added', cid: pin.cid, pin, origin: 'local' } : { type: 'updated', cid: pin.cid, pin, previous, origin: 'local' }
    this.events.dispatchEvent(new CustomEvent('change', { detail }))
  }
  async remove(cid: string) {
    const previous = this.pins.get(cid)
    if (previous === undefined) return
    this.pins.delete(cid)
    this.events.dispatchEvent(new CustomEvent('change', { detail: { type: 'removed', cid, previous, origin: 'local' } }))
  }
  async get(cid: string) {
    if (this.failGet) throw this.failGet
    return this.pins.get(cid)
  }
  async has(cid: string) {
    return this.pins.has(cid)
  }
  async *list() {
    for (const pin of [...this.pins.values()]) yield pin
  }
  async size() {
    return this.pins.size
  }
  async digest() {
    return String(this.pins.size)
  }
  addEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.events.addEventListener(type, listener as (e: Event) => void)
  }
  removeEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.events.removeEventListener(type, listener as (e: Event) => void)
  }
  async close() {}
}

interface Gate {
  promise: Promise<void>
  open(): void
}

function gate(): Gate {
  let open!: () => void
  const promise = new Promise<void>((r) => {
    open = r
  })
  return { promise, open }
}

/** An IPFS node in memory: pins are a map; calls can be made to fail, hang or wait on a gate. */
export class FakeIpfs implements IpfsConnector {
  readonly pinned = new Map<string, IpfsPinLsEntry['type']>()
  readonly calls: string[] = []
  inFlightPins = 0
  maxInFlightPins = 0
  inFlightLs = 0
  maxInFlightLs = 0
  /** CID → error message: pin calls for it fail. */
  readonly failPin = new Map<string, string>()
  failUnpin: string | undefined
  failLs: string | undefined
  /** When set, pin calls wait for this gate. */
  pinGate: Gate | undefined
  /** Pin calls never settle and ignore the signal. */
  hang = false

  holdPins(): () => void {
    this.pinGate = gate()
    const g = this.pinGate
    return () => {
      g.open()
      if (this.pinGate === g) this.pinGate = undefined
    }
  }

  async id() {
    return { id: '12D3KooWIpfs', addresses: [] }
  }
  async pin(cid: string, options?: IpfsPinOptions) {
    this.calls.push(`pin ${cid}`)
    this.inFlightPins++
    this.maxInFlightPins = Math.max(this.maxInFlightPins, this.inFlightPins)
    try {
      if (this.hang) await new Promise(() => {})
      if (this.pinGate) await this.pinGate.promise
      options?.signal?.throwIfAborted()
      const failure = this.failPin.get(cid)
      if (failure !== undefined) throw new Error(failure)
      this.pinned.set(cid, (options?.maxDepth ?? -1) === 0 ? 'direct' : 'recursive')
    } finally {
      this.inFlightPins--
    }
  }
  async unpin(cid: string) {
    this.calls.push(`unpin ${cid}`)
    if (this.failUnpin !== undefined) throw new Error(this.failUnpin)
    this.pinned.delete(cid)
  }
  async pinLsCid(cid: string, _options?: AbortOptions) {
    this.inFlightLs++
    this.maxInFlightLs = Math.max(this.maxInFlightLs, this.inFlightLs)
    try {
      await new Promise((r) => setImmediate(r))
      if (this.failLs !== undefined) throw new Error(this.failLs)
      return this.pinned.get(cid)
    } finally {
      this.inFlightLs--
    }
  }
  async *pinLs() {
    for (const [cid, type] of this.pinned) yield { cid, type }
  }
  async repoStat(): Promise<never> {
    throw new NotImplementedError('fake')
  }
  // biome-ignore lint/correctness/useYield: not used
  async *repoGc() {
    throw new NotImplementedError('fake')
  }
  async blockPut(): Promise<string> {
    throw new NotImplementedError('fake')
  }
  async blockGet(): Promise<Uint8Array> {
    throw new NotImplementedError('fake')
  }
  // biome-ignore lint/correctness/useYield: not used
  async *add() {
    throw new NotImplementedError('fake')
  }
  async swarmConnect() {}
}

/** A FakeIpfs that also pins in batches, as Kubo does: in order, failing the whole call at the first failing CID. */
export class BatchingFakeIpfs extends FakeIpfs {
  /** Every pinMany call, with the CIDs it was given. */
  readonly batches: string[][] = []
  /** pinMany calls never settle (they still honour the signal). */
  hangBatches = false

  async pinMany(cids: string[], options?: AbortOptions) {
    this.batches.push(cids)
    this.calls.push(`pinMany ${cids.length}`)
    if (this.hangBatches)
      await new Promise<void>((_, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true }))
    if (this.pinGate) await this.pinGate.promise
    for (const cid of cids) {
      options?.signal?.throwIfAborted()
      const failure = this.failPin.get(cid)
      if (failure !== undefined) throw new Error(failure)
      this.pinned.set(cid, 'recursive')
    }
  }
}
