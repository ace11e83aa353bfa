/**
 * Reads one config section with the key path in every error: `cluster.monitor_ping_interval
 * must be a Go duration such as "15s"`. Absent keys (and, as upstream, empty duration strings)
 * keep the default; unknown keys are ignored so older files still load.
 */
import { InvalidConfigError, parseDuration } from '@pinmesh/interface'

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)
  return `${typeof v} ${String(v)}`
}

export class ConfigReader {
  readonly obj: Record<string, unknown>

  constructor(
    value: unknown,
    readonly path: string,
  ) {
    if (value === undefined || value === null) value = {}
    if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, `must be a JSON object, got ${describe(value)}`)
    this.obj = value as Record<string, unknown>
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null
  }

  string(key: string, fallback: string): string {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'string') throw new InvalidConfigError(this.at(key), `must be a string, got ${describe(v)}`)
    return v
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'boolean') throw new InvalidConfigError(this.at(key), `must be true or false, got ${describe(v)}`)
    return v
  }

  int(key: string, fallback: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidConfigError(this.at(key), `must be an integer, got ${describe(v)}`)
    if (v < min || v > max) {
      throw new InvalidConfigError(
        this.at(key),
        max === Number.MAX_SAFE_INTEGER ? `must be >= ${min}, got ${v}` : `must be between ${min} and ${max}, got ${v}`,
      )
    }
    return v
  }

  /** A Go duration string (`"15s"`, `"2m0s"`) in milliseconds; `""` keeps the default. */
  duration(key: string, fallback: number, min = 0): number {
    const v = this.obj[key]
    if (v === undefined || v === null || v === '') return fallback
    if (typeof v !== 'string') throw new InvalidConfigError(this.at(key), `must be a Go duration string such as "15s" or "2m0s", got ${describe(v)}`)
    let ms: number
    try {
      ms = parseDuration(v)
    } catch {
      throw new InvalidConfigError(this.at(key), `must be a Go duration such as "15s" or "2m0s", got ${describe(v)}`)
    }
    if (ms < min) throw new InvalidConfigError(this.at(key), `must be at least ${min}ms, got ${describe(v)}`)
    return ms
  }

  /** A list of strings; a single string is accepted as a one-element list (as upstream). */
  stringList(key: string, fallback: string[]): string[] {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v === 'string') return v === '' ? [] : [v]
    if (!Array.isArray(v)) throw new InvalidConfigError(this.at(key), `must be a list of strings, got ${describe(v)}`)
    v.forEach((item, i) => {
      if (typeof item !== 'string') throw new InvalidConfigError(`${this.at(key)}[${i}]`, `must be a string, got ${describe(item)}`)
    })
    return v as string[]
  }

  child(key: string): ConfigReader {
    return new ConfigReader(this.obj[key], this.at(key))
  }
}
