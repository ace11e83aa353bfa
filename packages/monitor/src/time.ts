/** Metric times are Unix nanoseconds as `bigint` (reference §1.10.5). */

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n
}

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms)) * 1_000_000n
}
