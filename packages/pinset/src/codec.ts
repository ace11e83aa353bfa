/**
 * How a pin is stored in a shard. Every element of a shard's `Y.Array` is one string, the
 * **entry**: the CID's canonical string (the key) followed by the pin's **value**, which is
 *
 * - empty for a default pin with Go's zero timestamp,
 * - `@<RFC 3339 time>` for a default pin with a timestamp (the common case, ~80 bytes in all),
 * - otherwise a compact JSON object of the fields that differ from a default pin (the CID is
 *   not repeated; `{` starts it).
 *
 * CID strings never contain `@` or `{`, so the key ends at the first of them.
 */
import type { Pin } from '@pinmesh/interface'
import { decodePin, InvalidArgumentError, isRfc3339, ZERO_TIME } from '@pinmesh/interface'
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
  let others = 0
  for (const [k, v] of Object.entries(pin)) {
    if (k === 'cid' || k === 'user_allocations') continue
    if (k === 'metadata' && v !== null && Object.keys(v as object).length === 0) continue
    if ((k === 'origins' || k === 'allocations') && (v as string[]).length === 0) continue
    if (k in DEFAULT_FIELDS && DEFAULT_FIELDS[k] === v) continue
    if (k !== 'timestamp') others++
    out[k] = v
  }
  if (others === 0) {
    const ts = out.timestamp
    if (ts === undefined || ts === ZERO_TIME) return ''
    if (typeof ts === 'string' && validTime(ts)) return `@${ts}`
  }
  const text = JSON.stringify(out)
  if (text.length > MAX_VALUE_BYTES) throw new InvalidArgumentError(`encoded pin is ${text.length} bytes, more than ${MAX_VALUE_BYTES}`, 'pin')
  return text
}

/** Decodes a stored value back to a full Pin; throws `InvalidArgumentError` on malformed input. */
export function decodeValue(cid: string, value: unknown): Pin {
  if (typeof value !== 'string') throw new InvalidArgumentError('stored pin is not a string', cid)
  if (value === '' || value.charCodeAt(0) === AT) {
    const timestamp = value === '' ? ZERO_TIME : value.slice(1)
    if (!isRfc3339(timestamp)) throw new InvalidArgumentError('stored pin has a malformed timestamp', cid)
    return decodePin({ cid, timestamp, max_depth: -1, metadata: {} }, cid)
  }
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

/** The shard of a CID. Throws `InvalidArgumentError` for a malformed CID. */
export function shardOf(cid: string, shards: number): number {
  return locate(cid, shards).shard
}

/**
 * Where a CID lives: its canonical string (the key) and its shard. Canonical base32 CIDv1
 * strings (`b…`, how CIDv1 print) take a fast path with no allocations — they are their own
 * key — and everything else goes through `CID.parse`. Returns undefined for a malformed CID.
 */
function place(cid: string, shards: number): { key: string; shard: number } | undefined {
  if (cid.length > 1 && cid.charCodeAt(0) === 0x62) {
    const shard = fastShardOfBase32(cid, shards)
    if (shard >= 0) return { key: cid, shard }
  }
  let parsed: CID
  try {
    parsed = CID.parse(cid)
  } catch {
    return undefined
  }
  return { key: parsed.toString(), shard: shardOfMultihash(parsed.multihash.bytes, shards) }
}

/** Parses a CID once: its canonical string (the map key) and its shard. Throws `InvalidArgumentError`. */
export function locate(cid: string, shards: number): { key: string; shard: number } {
  const found = place(cid, shards)
  if (found === undefined) {
    let reason = 'malformed'
    try {
      CID.parse(cid)
    } catch (err) {
      reason = (err as Error).message
    }
    throw new InvalidArgumentError(`invalid cid: ${reason}`, 'cid')
  }
  return found
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const BASE32_VALUES = new Int8Array(128).fill(-1)
for (let i = 0; i < BASE32.length; i++) BASE32_VALUES[BASE32.charCodeAt(i)] = i
const scratch = new Uint8Array(256)
let scratchEnd = 0
let at = 0

/** Reads an unsigned varint from `scratch` at `at` (up to 4 bytes), or -1. */
function readVarint(): number {
  let result = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (at >= scratchEnd) return -1
    const b = scratch[at++] as number
    result |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) return result
  }
  return -1
}

/**
 * The shard of a `b…` CIDv1 string when it is canonical (lowercase base32 without padding or
 * stray bits, version 1, a multihash whose length matches), else -1.
 */
function fastShardOfBase32(s: string, shards: number): number {
  let bits = 0
  let value = 0
  let n = 0
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? (BASE32_VALUES[c] as number) : -1
    if (v < 0) return -1
    value = ((value << 5) | v) & 0xfff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      if (n >= scratch.length) return -1
      scratch[n++] = (value >>> bits) & 0xff
    }
  }
  if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0) return -1
  scratchEnd = n
  at = 0
  if (readVarint() !== 1) return -1
  if (readVarint() < 0) return -1
  const start = at
  if (readVarint() < 0) return -1
  const length = readVarint()
  if (length < 0 || at + length !== n) return -1
  let h = 0x811c9dc5
  for (let i = start; i < n; i++) {
    h ^= scratch[i] as number
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) & (shards - 1)
}

const AT = 0x40
const BRACE = 0x7b

/** The end of the key in an entry: the first `@` or `{`, or its length. */
function keyEnd(entry: string): number {
  for (let i = 0; i < entry.length; i++) {
    const c = entry.charCodeAt(i)
    if (c === AT || c === BRACE) return i
  }
  return entry.length
}

/** The key (canonical CID string) of an entry. */
export function entryKey(entry: string): string {
  const end = keyEnd(entry)
  return end === entry.length ? entry : entry.slice(0, end)
}

let template: Pin | undefined

/**
 * Reads a stored entry (validated when it entered the pinset: local writes come from a Pin,
 * remote ones passed `entryProblem`). The common forms (`''`, `@time`) skip re-validation;
 * JSON values are decoded and validated like any input.
 */
export function readEntry(entry: string): Pin {
  const end = keyEnd(entry)
  if (end < entry.length && entry.charCodeAt(end) === BRACE) return decodeValue(entry.slice(0, end), entry.slice(end))
  template ??= decodeValue('bafkqaaa', '')
  return {
    ...template,
    user_allocations: template.user_allocations === null ? null : [],
    metadata: {},
    origins: [],
    cid: end === entry.length ? entry : entry.slice(0, end),
    allocations: [],
    timestamp: end === entry.length ? ZERO_TIME : entry.slice(end + 1),
  } as Pin
}

/** The last timestamp found valid: the pins of one commit mostly share their second. */
let lastValidTime = ''
function validTime(ts: string): boolean {
  if (ts === lastValidTime) return true
  if (!isRfc3339(ts)) return false
  lastValidTime = ts
  return true
}

/**
 * Checks an entry received from another peer: its key must be a CID in canonical form that
 * belongs to `shard`, and its value must decode. Returns an error reason, or `undefined`.
 */
export function entryProblem(entry: unknown, shard: number, shards: number): 'not-string' | 'cid' | 'shard' | 'pin' | undefined {
  if (typeof entry !== 'string') return 'not-string'
  const end = keyEnd(entry)
  const key = entry.slice(0, end)
  const found = place(key, shards)
  if (found === undefined || found.key !== key) return 'cid'
  if (found.shard !== shard) return 'shard'
  const value = entry.slice(end)
  if (value.length > 0 && value.charCodeAt(0) === AT) return validTime(value.slice(1)) ? undefined : 'pin'
  try {
    decodeValue(key, value)
  } catch {
    return 'pin'
  }
  return undefined
}
