/**
 * Small validation helpers for codecs: each read names the field path in its error, so a bad
 * request body, config file or export line says exactly what was wrong.
 */

import { bases } from 'multiformats/basics'
import { CID } from 'multiformats/cid'
import { InvalidArgumentError, InvalidCidError } from './errors.js'

// biome-ignore lint/suspicious/noExplicitAny: the composed decoder's literal prefix types do not unify
const multibaseDecoder: any = Object.values(bases)
  .map((b) => b.decoder)
  // biome-ignore lint/suspicious/noExplicitAny: as above
  .reduce((d: any, other) => d.or(other))

/**
 * Recently parsed CIDs. A pin's CID string is parsed at every layer it crosses (REST, cluster,
 * pinset, tracker, IPFS connector) within milliseconds; a base32 decode and CID decode cost
 * ~30–45 µs each, a lookup here well under 1 µs. Two generations of up to `RECENT` entries:
 * when the current one fills it becomes the previous one, so memory stays bounded. CIDs are
 * immutable values, so handing out the same instance is safe.
 */
const RECENT = 4096
let recent = new Map<string, CID>()
let previous = new Map<string, CID>()

/** Parses a CID string in any multibase; throws `InvalidCidError` naming the input. */
export function parseCid(input: string): CID {
  if (typeof input !== 'string' || input.length === 0) {
    throw new InvalidCidError(String(input))
  }
  const known = recent.get(input) ?? previous.get(input)
  if (known !== undefined) return known
  let cid: CID
  try {
    cid = input.startsWith('Qm') || input.startsWith('1') ? CID.parse(input) : CID.parse(input, multibaseDecoder)
  } catch (err) {
    throw new InvalidCidError(input, err)
  }
  if (recent.size >= RECENT) {
    previous = recent
    recent = new Map()
  }
  recent.set(input, cid)
  return cid
}

/** True when the string is a CID pinmesh can decode. */
export function isCid(input: string): boolean {
  try {
    parseCid(input)
    return true
  } catch {
    return false
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** Go's zero `time.Time` as JSON. */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

/** True for an RFC 3339 timestamp with optional fraction (up to nanoseconds) and zone. */
export function isRfc3339(input: string): boolean {
  return RFC3339.test(input) && !Number.isNaN(Date.parse(input.replace(/\.(\d{3})\d+/, '.$1')))
}

/** Milliseconds since the epoch of an RFC 3339 time (`0` for the zero time, sub-ms digits dropped). */
export function timeToMillis(input: string): number {
  if (input === ZERO_TIME) return 0
  return Date.parse(input.replace(/\.(\d{3})\d+/, '.$1'))
}

/** True for Go's zero time. */
export function isZeroTime(input: string): boolean {
  return timeToMillis(input) <= Date.UTC(1, 0, 1) || input === ZERO_TIME
}

/** Formats a date as RFC 3339 UTC (millisecond precision, trailing zeros trimmed as Go does). */
export function formatTime(date: Date | number): string {
  const iso = new Date(date).toISOString()
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac.length > 0 ? `.${frac}Z` : 'Z'))
}

/** Formats a date with second precision, as upstream stores pin timestamps. */
export function formatTimeSeconds(date: Date | number): string {
  return new Date(date).toISOString().replace(/\.\d+Z$/, 'Z')
}

/** Reads fields of a JSON object with path-aware errors and defaults for absent keys. */
export class ObjectReader {
  readonly obj: Record<string, unknown>
  constructor(
    value: unknown,
    readonly path: string,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidArgumentError(`expected a JSON object, got ${describe(value)}`, path)
    }
    this.obj = value as Record<string, unknown>
  }

  private at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined
  }

  string(key: string, fallback?: string): string {
    const v = this.obj[key]
    if (v === undefined || (v === null && fallback !== undefined)) return this.required(key, fallback)
    if (typeof v !== 'string') throw new InvalidArgumentError(`expected a string, got ${describe(v)}`, this.at(key))
    return v
  }

  nullableString(key: string): string | null {
    const v = this.obj[key]
    if (v === undefined || v === null) return null
    if (typeof v !== 'string') throw new InvalidArgumentError(`expected a string or null, got ${describe(v)}`, this.at(key))
    return v
  }

  int(key: string, fallback?: number, min = Number.MIN_SAFE_INTEGER): number {
    const v = this.obj[key]
    if (v === undefined || v === null) return this.required(key, fallback)
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidArgumentError(`expected an integer, got ${describe(v)}`, this.at(key))
    if (v < min) throw new InvalidArgumentError(`must be >= ${min}, got ${v}`, this.at(key))
    return v
  }

  bigint(key: string, fallback?: bigint): bigint {
    const v = this.obj[key]
    if (v === undefined || v === null) return this.required(key, fallback)
    if (typeof v === 'bigint') return v
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
    throw new InvalidArgumentError(`expected an integer, got ${describe(v)}`, this.at(key))
  }

  bool(key: string, fallback?: boolean): boolean {
    const v = this.obj[key]
    if (v === undefined || v === null) return this.required(key, fallback)
    if (typeof v !== 'boolean') throw new InvalidArgumentError(`expected a boolean, got ${describe(v)}`, this.at(key))
    return v
  }

  stringArray(key: string, nullable: true): string[] | null
  stringArray(key: string, nullable?: false): string[]
  stringArray(key: string, nullable = false): string[] | null {
    const v = this.obj[key]
    if (v === undefined || v === null) return nullable ? null : []
    if (!Array.isArray(v)) throw new InvalidArgumentError(`expected an array of strings, got ${describe(v)}`, this.at(key))
    v.forEach((item, i) => {
      if (typeof item !== 'string') throw new InvalidArgumentError(`expected a string, got ${describe(item)}`, `${this.at(key)}[${i}]`)
    })
    return v as string[]
  }

  stringMap(key: string): Record<string, string> | null {
    const v = this.obj[key]
    if (v === undefined || v === null) return null
    if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`expected an object of strings, got ${describe(v)}`, this.at(key))
    for (const [k, item] of Object.entries(v)) {
      if (typeof item !== 'string') throw new InvalidArgumentError(`expected a string, got ${describe(item)}`, `${this.at(key)}.${k}`)
    }
    return { ...(v as Record<string, string>) }
  }

  cid(key: string): string {
    const v = this.string(key)
    try {
      parseCid(v)
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message, this.at(key))
    }
    return v
  }

  nullableCid(key: string): string | null {
    const v = this.obj[key]
    if (v === null || v === undefined) return null
    return this.cid(key)
  }

  time(key: string, fallback?: string): string {
    const v = this.string(key, fallback)
    if (!isRfc3339(v)) throw new InvalidArgumentError(`expected an RFC 3339 time, got ${JSON.stringify(v)}`, this.at(key))
    return v
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const v = this.string(key, fallback)
    if (!(allowed as readonly string[]).includes(v)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`, this.at(key))
    }
    return v as T
  }

  child(key: string): ObjectReader {
    return new ObjectReader(this.obj[key], this.at(key))
  }

  private required<T>(key: string, fallback: T | undefined): T {
    if (fallback === undefined) throw new InvalidArgumentError('is required', this.at(key))
    return fallback
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
  return typeof v
}
