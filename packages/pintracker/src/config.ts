/**
 * `pin_tracker.stateless` config section (reference §5.9) plus pinmesh's own keys, validated once
 * at the edge. Durations are Go strings in the file (`"24h0m0s"`) and milliseconds inside.
 */
import { InvalidConfigError, parseDuration } from '@pinmesh/interface'

export interface PinTrackerConfig {
  /** Capacity of each of the three queues (priority pin, pin, unpin). Upstream key. */
  max_pin_queue_size: number
  /** Pin operations running at once against the IPFS node. Upstream key. */
  concurrent_pins: number
  /** A pin younger than this (ms) goes to the priority queue. Upstream key. */
  priority_pin_max_age: number
  /** A pin that failed more than this many times leaves the priority queue. Upstream key. */
  priority_pin_max_retries: number
  /** pinmesh: unpin operations running at once (upstream runs one). */
  concurrent_unpins: number
  /** pinmesh: first automatic retry of a failed operation after this (ms); doubles per attempt. */
  retry_backoff_min: number
  /** pinmesh: the longest wait between automatic retries (ms). */
  retry_backoff_max: number
  /** pinmesh (upstream's `ipfs_connector.ipfshttp.pin_timeout`): a pin with no progress for this long (ms) fails. */
  pin_timeout: number
  /** pinmesh (upstream's `ipfs_connector.ipfshttp.unpin_timeout`): total time allowed for an unpin (ms). */
  unpin_timeout: number
  /**
   * pinmesh: when pins back up, a worker hands up to this many queued recursive pins to the IPFS
   * node in one request (where the connector supports it); 1 disables batching.
   */
  pin_batch_size: number
  /** pinmesh: a batch not done after this long (ms) is abandoned and its pins are pinned one by one. */
  pin_batch_timeout: number
  /** Upstream's `cluster.pin_recover_interval` (ms): periodic recover of everything local; 0 disables. First run at start. */
  pin_recover_interval: number
}

export const PIN_TRACKER_DEFAULTS: Readonly<PinTrackerConfig> = {
  max_pin_queue_size: 1_000_000,
  concurrent_pins: 10,
  priority_pin_max_age: 24 * 3_600_000,
  priority_pin_max_retries: 5,
  concurrent_unpins: 4,
  retry_backoff_min: 1_000,
  retry_backoff_max: 5 * 60_000,
  pin_timeout: 2 * 60_000,
  unpin_timeout: 3 * 3_600_000,
  pin_batch_size: 32,
  pin_batch_timeout: 5_000,
  pin_recover_interval: 12 * 60_000,
}

const INT_KEYS = ['max_pin_queue_size', 'concurrent_pins', 'priority_pin_max_retries', 'concurrent_unpins', 'pin_batch_size'] as const
const DURATION_KEYS = [
  'priority_pin_max_age',
  'retry_backoff_min',
  'retry_backoff_max',
  'pin_timeout',
  'unpin_timeout',
  'pin_batch_timeout',
  'pin_recover_interval',
] as const

/**
 * Parses the `pin_tracker.stateless` section. Absent keys take defaults; every value must be > 0
 * (except `pin_recover_interval`, where 0 disables). Errors name the key path.
 */
export function parsePinTrackerConfig(value: unknown, path = 'pin_tracker.stateless'): PinTrackerConfig {
  const config: PinTrackerConfig = { ...PIN_TRACKER_DEFAULTS }
  if (value === undefined || value === null) return config
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, 'must be an object')
  const obj = value as Record<string, unknown>
  for (const key of INT_KEYS) {
    const v = obj[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new InvalidConfigError(`${path}.${key}`, `must be an integer > 0, got ${JSON.stringify(v)}`)
    config[key] = v
  }
  for (const key of DURATION_KEYS) {
    const v = obj[key]
    if (v === undefined) continue
    let ms: number
    try {
      ms = typeof v === 'number' ? v : parseDuration(v as string)
    } catch (err) {
      throw new InvalidConfigError(`${path}.${key}`, `must be a duration such as "2m0s": ${(err as Error).message}`)
    }
    if (!Number.isFinite(ms) || ms < 0 || (ms === 0 && key !== 'pin_recover_interval')) {
      throw new InvalidConfigError(`${path}.${key}`, `must be a duration > 0, got ${JSON.stringify(v)}`)
    }
    config[key] = ms
  }
  if (config.retry_backoff_min > config.retry_backoff_max) {
    throw new InvalidConfigError(`${path}.retry_backoff_min`, 'must not be larger than retry_backoff_max')
  }
  return config
}
