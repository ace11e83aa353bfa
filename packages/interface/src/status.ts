/**
 * TrackerStatus: the per-peer status of a pin, as upstream's lowercase strings, with the bit
 * values upstream uses so that filters can be ORed (`error` = cluster_error|pin_error|unpin_error).
 */
import { InvalidArgumentError } from './errors.js'

export const TRACKER_STATUS_BITS = {
  undefined: 0,
  cluster_error: 1 << 1,
  pin_error: 1 << 2,
  unpin_error: 1 << 3,
  pinned: 1 << 4,
  pinning: 1 << 5,
  unpinning: 1 << 6,
  unpinned: 1 << 7,
  remote: 1 << 8,
  pin_queued: 1 << 9,
  unpin_queued: 1 << 10,
  sharded: 1 << 11,
  unexpectedly_unpinned: 1 << 12,
} as const

/** A status a peer can report for one pin. */
export type TrackerStatus = keyof typeof TRACKER_STATUS_BITS

/** Filter-only composite names. */
export const TRACKER_STATUS_COMPOSITES = {
  error: TRACKER_STATUS_BITS.cluster_error | TRACKER_STATUS_BITS.pin_error | TRACKER_STATUS_BITS.unpin_error,
  queued: TRACKER_STATUS_BITS.pin_queued | TRACKER_STATUS_BITS.unpin_queued,
} as const

export const TRACKER_STATUSES = Object.keys(TRACKER_STATUS_BITS) as TrackerStatus[]

export function isTrackerStatus(value: unknown): value is TrackerStatus {
  return typeof value === 'string' && Object.hasOwn(TRACKER_STATUS_BITS, value)
}

/**
 * Parses a `filter` query value (comma list, spaces ignored) into a bit mask. Unknown names are
 * ignored; a non-empty input where nothing matched throws `invalid filter value` (as upstream).
 * `0` means "everything".
 */
export function parseStatusFilter(input: string | null | undefined): number {
  const text = (input ?? '').replace(/\s+/g, '')
  if (text === '') return 0
  let mask = 0
  for (const word of text.split(',')) {
    if (Object.hasOwn(TRACKER_STATUS_BITS, word)) mask |= TRACKER_STATUS_BITS[word as TrackerStatus]
    else if (Object.hasOwn(TRACKER_STATUS_COMPOSITES, word)) mask |= TRACKER_STATUS_COMPOSITES[word as keyof typeof TRACKER_STATUS_COMPOSITES]
  }
  if (mask === 0) throw new InvalidArgumentError('invalid filter value')
  return mask
}

/** True when `status` passes `filter` (a filter of 0 or status `undefined` matches everything). */
export function statusMatches(status: TrackerStatus, filter: number): boolean {
  const bit = TRACKER_STATUS_BITS[status]
  return filter === 0 || bit === 0 || (bit & filter) !== 0
}
