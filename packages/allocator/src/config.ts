/**
 * `allocator.balanced` config section (reference §5.11): `allocate_by`, the ordered list of
 * metric names allocation partitions and sorts by.
 */
import { InvalidConfigError } from '@pinmesh/interface'

export interface BalancedAllocatorConfig {
  /** Metric names, outermost partition first: `tag:<name>` partitions, the rest order peers. */
  allocate_by: string[]
}

/**
 * pinmesh's default: spread over `tag:group` partitions, then prefer peers with the fewest queued
 * pins (in buckets of `informer.pinqueue.weight_bucket_size`), then the most free space.
 * Upstream's default is `["tag:group", "freespace"]`; both are accepted.
 */
export const DEFAULT_ALLOCATE_BY: readonly string[] = ['tag:group', 'pinqueue', 'freespace']

/** Parses the `allocator.balanced` section; absent keys take defaults, bad values throw with the key path. */
export function parseBalancedAllocatorConfig(value: unknown, path = 'allocator.balanced'): BalancedAllocatorConfig {
  if (value === undefined || value === null) return { allocate_by: [...DEFAULT_ALLOCATE_BY] }
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, 'must be an object')
  const raw = (value as Record<string, unknown>).allocate_by
  if (raw === undefined || raw === null) return { allocate_by: [...DEFAULT_ALLOCATE_BY] }
  if (!Array.isArray(raw)) throw new InvalidConfigError(`${path}.allocate_by`, 'must be an array of metric names')
  if (raw.length === 0) throw new InvalidConfigError(`${path}.allocate_by`, 'must not be empty')
  const seen = new Set<string>()
  raw.forEach((name, i) => {
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidConfigError(`${path}.allocate_by[${i}]`, 'must be a non-empty metric name')
    if (name === 'tag:') throw new InvalidConfigError(`${path}.allocate_by[${i}]`, 'must name the tag after "tag:" (e.g. "tag:region")')
    if (seen.has(name)) throw new InvalidConfigError(`${path}.allocate_by[${i}]`, `repeats ${JSON.stringify(name)}`)
    seen.add(name)
  })
  return { allocate_by: raw as string[] }
}
