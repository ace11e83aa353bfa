/**
 * The monitor's config: `monitor.pubsubmon.check_interval` (reference §5.10) and the cluster
 * name the metrics topic derives from.
 */
import { InvalidConfigError, parseDuration } from '@pinmesh/interface'

export interface MonitorConfig {
  /** How often expired metrics are checked for alerts (ms). */
  check_interval: number
  /** The metrics topic derives from it (`consensus.crdt.cluster_name`). */
  cluster_name: string
}

export const MONITOR_DEFAULTS = { check_interval: '15s' }

/** Parses `monitor.pubsubmon`; throws `InvalidConfigError` naming the key. */
export function parsePubsubmonConfig(value: unknown, path = 'monitor.pubsubmon'): { check_interval: number } {
  if (value === undefined || value === null) return { check_interval: 15_000 }
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, 'must be a JSON object')
  const v = (value as Record<string, unknown>).check_interval
  if (v === undefined || v === null || v === '') return { check_interval: 15_000 }
  let ms: number
  try {
    if (typeof v !== 'string') throw new Error('not a string')
    ms = parseDuration(v)
  } catch {
    throw new InvalidConfigError(`${path}.check_interval`, `must be a Go duration such as "15s", got ${JSON.stringify(v)}`)
  }
  if (ms <= 0) throw new InvalidConfigError(`${path}.check_interval`, `must be greater than 0, got ${JSON.stringify(v)}`)
  return { check_interval: ms }
}
