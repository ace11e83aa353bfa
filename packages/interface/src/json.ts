/**
 * JSON text helpers that keep Go's int64 values exact.
 *
 * Upstream encodes metric times (`expire`, `received_at`) as int64 Unix nanoseconds, which do not
 * fit a JS number. `parseJson` turns integers outside the safe range into `bigint` (using the
 * reviver's source text, Node ≥ 21), and `stringifyJson` writes `bigint` values back as plain
 * JSON numbers.
 */

interface ReviverContext {
  source?: string
}

type JsonWithRaw = typeof JSON & { rawJSON: (text: string) => unknown }

/** Parses JSON text; integers beyond ±2^53 become `bigint`. Throws `SyntaxError` on bad JSON. */
export function parseJson(text: string): unknown {
  // Fast path: without a run of 16+ digits no integer can exceed 2^53 (the reviver costs ~10x).
  if (!/\d{16}/.test(text)) return JSON.parse(text)
  return JSON.parse(text, function reviver(this: unknown, _key: string, value: unknown, context?: ReviverContext) {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source)
    }
    return value
  } as (this: unknown, key: string, value: unknown) => unknown)
}

/** Serialises like `JSON.stringify` (compact), writing `bigint` as a JSON number. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? (JSON as JsonWithRaw).rawJSON(v.toString()) : v))
}
