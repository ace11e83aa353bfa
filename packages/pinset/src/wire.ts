/**
 * Binary formats of the gossip messages and sync frames, and the validation of received Yjs
 * updates. Every message ends with an 8-byte checksum (SHA-256 prefix of the rest): a frame
 * corrupted anywhere is rejected before it is parsed. Layouts are in docs/pinset.md.
 */
import { createHash } from 'node:crypto'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { entryProblem } from './codec.js'

export const MAGIC = 0x70 // 'p'
export const WIRE_VERSION = 1

export const MSG_UPDATE = 1
export const MSG_DIGEST = 2
export const FRAME_REQUEST = 0x10
export const FRAME_CHUNK = 0x11
export const FRAME_DONE = 0x12
export const FRAME_ERROR = 0x13
export const FRAME_ACK = 0x14

/** The reason a message was rejected; used as the metric label. */
export class WireError extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'WireError'
  }
}

const CHECKSUM = 8

function checksum(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest().subarray(0, CHECKSUM)
}

function seal(enc: encoding.Encoder): Uint8Array {
  const body = encoding.toUint8Array(enc)
  const out = new Uint8Array(body.length + CHECKSUM)
  out.set(body)
  out.set(checksum(body), body.length)
  return out
}

function header(type: number): encoding.Encoder {
  const enc = encoding.createEncoder()
  encoding.writeUint8(enc, MAGIC)
  encoding.writeUint8(enc, WIRE_VERSION)
  encoding.writeUint8(enc, type)
  return enc
}

/** Checks magic, version and checksum; returns a decoder positioned after the type byte. */
function open(bytes: Uint8Array): { type: number; dec: decoding.Decoder } {
  if (!(bytes instanceof Uint8Array) || bytes.length < 3 + CHECKSUM) throw new WireError('short')
  const body = bytes.subarray(0, bytes.length - CHECKSUM)
  const sum = checksum(body)
  const given = bytes.subarray(bytes.length - CHECKSUM)
  for (let i = 0; i < CHECKSUM; i++) if (sum[i] !== given[i]) throw new WireError('checksum')
  if (body[0] !== MAGIC) throw new WireError('magic')
  if (body[1] !== WIRE_VERSION) throw new WireError('version')
  const dec = decoding.createDecoder(body)
  dec.pos = 3
  return { type: body[2] as number, dec }
}

function guard<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof WireError) throw err
    throw new WireError('malformed')
  }
}

function end(dec: decoding.Decoder): void {
  if (decoding.hasContent(dec)) throw new WireError('trailing')
}

// ------------------------------------------------------------------------------------------
// Gossip

export interface ShardUpdate {
  shard: number
  update: Uint8Array
}

export type GossipMessage =
  | { type: 'update'; shards: number; updates: ShardUpdate[] }
  /** `clocks[i]`: the sum of shard i's state vector (how many structs the sender has integrated). */
  | { type: 'digest'; shards: number; root: Uint8Array; clocks: number[] }

export function encodeUpdateMessage(shards: number, updates: ShardUpdate[]): Uint8Array {
  const enc = header(MSG_UPDATE)
  encoding.writeVarUint(enc, shards)
  encoding.writeVarUint(enc, updates.length)
  for (const u of updates) {
    encoding.writeVarUint(enc, u.shard)
    encoding.writeVarUint8Array(enc, u.update)
  }
  return seal(enc)
}

/** Bytes an update adds to an update message (upper bound). */
export function updateOverhead(update: Uint8Array): number {
  return update.length + 10
}
export const MESSAGE_OVERHEAD = 3 + 10 + CHECKSUM

export function encodeDigestMessage(shards: number, root: Uint8Array, clocks: number[]): Uint8Array {
  const enc = header(MSG_DIGEST)
  encoding.writeVarUint(enc, shards)
  encoding.writeVarUint8Array(enc, root)
  for (let i = 0; i < shards; i++) encoding.writeVarUint(enc, clocks[i] ?? 0)
  return seal(enc)
}

export function decodeGossip(bytes: Uint8Array, shards: number): GossipMessage {
  const { type, dec } = open(bytes)
  return guard(() => {
    const n = decoding.readVarUint(dec)
    if (n !== shards) throw new WireError('shard-count')
    if (type === MSG_DIGEST) {
      const root = decoding.readVarUint8Array(dec)
      if (root.length !== 32) throw new WireError('malformed')
      const clocks: number[] = []
      for (let i = 0; i < n; i++) clocks.push(decoding.readVarUint(dec))
      end(dec)
      return { type: 'digest', shards: n, root, clocks }
    }
    if (type !== MSG_UPDATE) throw new WireError('type')
    const count = decoding.readVarUint(dec)
    if (count > shards * 64) throw new WireError('malformed')
    const updates: ShardUpdate[] = []
    for (let i = 0; i < count; i++) {
      const shard = decoding.readVarUint(dec)
      if (shard >= shards) throw new WireError('shard')
      updates.push({ shard, update: decoding.readVarUint8Array(dec) })
    }
    end(dec)
    return { type: 'update', shards: n, updates }
  })
}

// ------------------------------------------------------------------------------------------
// Sync frames

export interface ShardState {
  /** SHA-256 of the shard's snapshot (state vector + delete set). */
  hash: Uint8Array
  stateVector: Uint8Array
}

export type SyncFrame =
  | { type: 'request'; format: number; shards: number; states: ShardState[] }
  | { type: 'chunk'; shard: number; final: boolean; data: Uint8Array }
  | { type: 'done'; sent: number }
  | { type: 'error'; message: string }
  | { type: 'ack'; chunks: number }

export function encodeRequest(format: number, states: ShardState[]): Uint8Array {
  const enc = header(FRAME_REQUEST)
  encoding.writeVarUint(enc, format)
  encoding.writeVarUint(enc, states.length)
  for (const s of states) {
    encoding.writeVarUint8Array(enc, s.hash)
    encoding.writeVarUint8Array(enc, s.stateVector)
  }
  return seal(enc)
}

export function encodeChunk(shard: number, final: boolean, data: Uint8Array): Uint8Array {
  const enc = header(FRAME_CHUNK)
  encoding.writeVarUint(enc, shard)
  encoding.writeUint8(enc, final ? 1 : 0)
  encoding.writeVarUint8Array(enc, data)
  return seal(enc)
}

export function encodeDone(sent: number): Uint8Array {
  const enc = header(FRAME_DONE)
  encoding.writeVarUint(enc, sent)
  return seal(enc)
}

export function encodeAck(chunks: number): Uint8Array {
  const enc = header(FRAME_ACK)
  encoding.writeVarUint(enc, chunks)
  return seal(enc)
}

export function encodeError(message: string): Uint8Array {
  const enc = header(FRAME_ERROR)
  encoding.writeVarString(enc, message.slice(0, 1000))
  return seal(enc)
}

export function decodeFrame(bytes: Uint8Array, maxShards: number): SyncFrame {
  const { type, dec } = open(bytes)
  return guard((): SyncFrame => {
    switch (type) {
      case FRAME_REQUEST: {
        const format = decoding.readVarUint(dec)
        const n = decoding.readVarUint(dec)
        if (n > maxShards) throw new WireError('shard-count')
        const states: ShardState[] = []
        for (let i = 0; i < n; i++) {
          const hash = decoding.readVarUint8Array(dec)
          if (hash.length !== 32) throw new WireError('malformed')
          const stateVector = decoding.readVarUint8Array(dec)
          Y.decodeStateVector(stateVector)
          states.push({ hash, stateVector })
        }
        end(dec)
        return { type: 'request', format, shards: n, states }
      }
      case FRAME_CHUNK: {
        const shard = decoding.readVarUint(dec)
        if (shard >= maxShards) throw new WireError('shard')
        const flag = decoding.readUint8(dec)
        if (flag > 1) throw new WireError('malformed')
        const data = decoding.readVarUint8Array(dec)
        end(dec)
        return { type: 'chunk', shard, final: flag === 1, data }
      }
      case FRAME_DONE: {
        const sent = decoding.readVarUint(dec)
        end(dec)
        return { type: 'done', sent }
      }
      case FRAME_ACK: {
        const chunks = decoding.readVarUint(dec)
        end(dec)
        return { type: 'ack', chunks }
      }
      case FRAME_ERROR: {
        const message = decoding.readVarString(dec)
        end(dec)
        return { type: 'error', message }
      }
      default:
        throw new WireError('type')
    }
  })
}

// ------------------------------------------------------------------------------------------
// Yjs update validation

/** The name of the root `Y.Array` in every shard. */
export const ARRAY_NAME = 'pins'

/**
 * Checks that a Yjs update for `shard` only holds what a pinset writes: runs of entries in the
 * root array `pins`, each a canonical CID string of this shard followed by a valid encoded pin,
 * plus deletions and GC ranges. Throws `WireError` otherwise; nothing has been applied then.
 */
export function validateUpdate(update: Uint8Array, shard: number, shards: number): void {
  let decoded: { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: unknown }
  try {
    decoded = Y.decodeUpdate(update) as typeof decoded
  } catch {
    throw new WireError('update-malformed')
  }
  for (const s of decoded.structs) {
    if (s instanceof Y.GC || s instanceof Y.Skip) continue
    if (!(s instanceof Y.Item)) throw new WireError('update-struct')
    const item = s as Omit<Y.Item, 'parent'> & { parent: unknown; parentSub: string | null }
    // Elements of the root array: no map key, and (when not placed by an origin) parent `pins`.
    if (item.parentSub !== null) throw new WireError('update-not-array-element')
    if (item.origin === null && item.rightOrigin === null && item.parent !== ARRAY_NAME) throw new WireError('update-not-array-element')
    if (item.content instanceof Y.ContentDeleted) continue
    if (!(item.content instanceof Y.ContentAny)) throw new WireError('update-content')
    for (const entry of (item.content as Y.ContentAny).arr) {
      const problem = entryProblem(entry, shard, shards)
      if (problem !== undefined) throw new WireError(problem === 'shard' ? 'update-shard' : 'update-pin')
    }
  }
}
