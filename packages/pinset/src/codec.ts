/**
 * How a pin is stored in a shard: the `Y.Map` key is the CID string, the value a compact JSON
 * string holding only the fields that differ from a default pin (the CID is the key, not
 * repeated). A default pin with allocations and a timestamp encodes to ~40 bytes.
 */
import type { Pin } from '@pinmesh/interface'
import { decodePin, InvalidArgumentError } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'

/** Largest encoded pin value; bigger pins are refused (they must fit a gossip message). */
export const MAX_VALUE_BYTES = 64 * 1024

const DEFAULT_FIELDS: Record<string, unknown> = {
  replication_factor_min: 0,
  replication_factor_max: 0,
  name: '',
  mode: 'recursive',
  shard_size: 0,
  expire_at: '0001-01-01T00:00:00Z',
  pin_update: null,
  type: 'pin',
  max_depth: -1,
  reference: null,
}

/** Encodes a pin to its stored value (never `user_allocations`, which upstream never persists). */
export function encodeValue(pin: Pin): string {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(pin)) {
    if (k === 'cid' || k === 'user_allocations') continue
    if (k === 'metadata' && v !== null && Object.keys(v as object).length === 0) continue
    if ((k === 'origins' || k === 'allocations') && (v as string[]).length === 0) continue
    if (k in DEFAULT_FIELDS && DEFAULT_FIELDS[k] === v) continue
    out[k] = v
  }
  const text = JSON.stringify(out)
  if (text.length > MAX_VALUE_BYTES) throw new InvalidArgumentError(`encoded pin is ${text.length} bytes, more than ${MAX_VALUE_BYTES}`, 'pin')
  return text
}

/** Decodes a stored value back to a full Pin; throws `InvalidArgumentError` on malformed input. */
export function decodeValue(cid: string, value: unknown): Pin {
  if (typeof value !== 'string') throw new InvalidArgumentError('stored pin is not a string', cid)
  let parsed: unknown
  try {
    // Plain JSON.parse: stored values hold only small integers (no int64 reviver needed).
    parsed = JSON.parse(value)
  } catch {
    throw new InvalidArgumentError('stored pin is not JSON', cid)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError('stored pin is not an object', cid)
  const obj = parsed as Record<string, unknown>
  if ('cid' in obj) throw new InvalidArgumentError('stored pin repeats its cid', cid)
  if (!('max_depth' in obj)) obj.max_depth = -1
  if (!('metadata' in obj)) obj.metadata = {}
  obj.cid = cid
  return decodePin(obj, cid)
}

/** The shard of a multihash: FNV-1a over its bytes, masked to the shard count. */
export function shardOfMultihash(bytes: Uint8Array, shards: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) & (shards - 1)
}

/** The shard of a CID. */
export function shardOf(cid: string, shards: number): number {
  return shardOfMultihash(CID.parse(cid).multihash.bytes, shards)
}

/** Parses a CID once: its canonical string (the map key) and its shard. Throws `InvalidArgumentError`. */
export function locate(cid: string, shards: number): { key: string; shard: number } {
  let parsed: CID
  try {
    parsed = CID.parse(cid)
  } catch (err) {
    throw new InvalidArgumentError(`invalid cid: ${(err as Error).message}`, 'cid')
  }
  return { key: parsed.toString(), shard: shardOfMultihash(parsed.multihash.bytes, shards) }
}
