/**
 * Go duration syntax (`"2m0s"`, `"500ms"`, `"1h30m"`, `"0s"`), as upstream's config files and
 * `expire-in` use it. Values are milliseconds (sub-millisecond units are rounded).
 */
import { InvalidArgumentError } from './errors.js'

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y

/** Parses a Go duration into milliseconds; throws `InvalidArgumentError` with the bad input. */
export function parseDuration(input: string, path?: string): number {
  if (typeof input !== 'string') throw new InvalidArgumentError(`expected a duration string like "2m0s", got ${typeof input}`, path)
  let text = input.trim()
  let sign = 1
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1
    text = text.slice(1)
  }
  if (text === '0') return 0
  if (text === '') throw new InvalidArgumentError(`invalid duration ${JSON.stringify(input)}`, path)
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex
    const m = PART.exec(text)
    if (m === null || m.index !== start) {
      throw new InvalidArgumentError(`invalid duration ${JSON.stringify(input)} (expected Go syntax such as "1m30s", "500ms")`, path)
    }
    total += Number(m[1]) * (UNITS[m[2] as string] as number)
  }
  return sign * Math.round(total)
}

/** Formats milliseconds as a Go duration (`90000` → `"1m30s"`, `0` → `"0s"`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  const sign = ms < 0 ? '-' : ''
  let rest = Math.abs(ms)
  if (rest < 1000) return `${sign}${rest}ms`
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const s = rest / 1000
  return `${sign}${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`
}
