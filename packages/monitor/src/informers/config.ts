/**
 * `informer.*` config sections (reference §5.12), validated once with key paths. Durations are
 * Go strings (`"30s"`) in the file and milliseconds here.
 */
import { InvalidConfigError, parseDuration } from '@pinmesh/interface'

export interface DiskInformerConfig {
  metric_ttl: number
  /** `freespace` (bytes free, more is better) or `reposize` (bytes used, less is better). */
  metric_type: 'freespace' | 'reposize'
  /**
   * pinmesh: where free space comes from. `repo_stat` asks the IPFS node (StorageMax − RepoSize,
   * upstream's way; slow on big Kubo repos); `statfs` asks the file system holding the IPFS repo
   * folder (cheap; free bytes of the disk); `auto` = `statfs` when the repo folder is known
   * (embedded IPFS), else `repo_stat`. `reposize` always uses `repo_stat`.
   */
  source: 'auto' | 'repo_stat' | 'statfs'
}

export interface TagsInformerConfig {
  metric_ttl: number
  tags: Record<string, string>
}

export interface PinQueueInformerConfig {
  metric_ttl: number
  weight_bucket_size: number
}

export interface NumPinInformerConfig {
  metric_ttl: number
}

export interface InformersConfig {
  disk: DiskInformerConfig
  tags: TagsInformerConfig
  pinqueue: PinQueueInformerConfig
  /** Off unless its section is present (as upstream, which does not register it). */
  numpin: NumPinInformerConfig | undefined
}

export const INFORMER_DEFAULTS = {
  disk: { metric_ttl: 30_000, metric_type: 'freespace', source: 'auto' } as DiskInformerConfig,
  tags: { metric_ttl: 30_000, tags: { group: 'default' } } as TagsInformerConfig,
  pinqueue: { metric_ttl: 30_000, weight_bucket_size: 100_000 } as PinQueueInformerConfig,
  numpin: { metric_ttl: 10_000 } as NumPinInformerConfig,
}

function section(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, 'must be an object')
  return value as Record<string, unknown>
}

function ttl(obj: Record<string, unknown> | undefined, path: string, fallback: number): number {
  const v = obj?.metric_ttl
  if (v === undefined) return fallback
  let ms: number
  try {
    ms = typeof v === 'number' ? v : parseDuration(v as string)
  } catch (err) {
    throw new InvalidConfigError(`${path}.metric_ttl`, `must be a duration such as "30s": ${(err as Error).message}`)
  }
  if (!(ms > 0)) throw new InvalidConfigError(`${path}.metric_ttl`, `must be a duration > 0, got ${JSON.stringify(v)}`)
  return ms
}

function oneOf<T extends string>(obj: Record<string, unknown> | undefined, key: string, path: string, allowed: readonly T[], fallback: T): T {
  const v = obj?.[key]
  if (v === undefined) return fallback
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InvalidConfigError(`${path}.${key}`, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v)}`)
  }
  return v as T
}

/** Parses `informer.disk`; absent → defaults. */
export function parseDiskInformerConfig(value: unknown, path = 'informer.disk'): DiskInformerConfig {
  const disk = section(value, path)
  return {
    metric_ttl: ttl(disk, path, INFORMER_DEFAULTS.disk.metric_ttl),
    metric_type: oneOf(disk, 'metric_type', path, ['freespace', 'reposize'] as const, 'freespace'),
    source: oneOf(disk, 'source', path, ['auto', 'repo_stat', 'statfs'] as const, 'auto'),
  }
}

/**
 * Parses `informer.tags`. An absent section means the default `{"group":"default"}`; a section
 * without a `tags` key means no tags at all (upstream's behaviour).
 */
export function parseTagsInformerConfig(value: unknown, path = 'informer.tags'): TagsInformerConfig {
  const tags = section(value, path)
  let tagMap: Record<string, string> = { ...INFORMER_DEFAULTS.tags.tags }
  if (tags !== undefined) {
    const t = tags.tags
    if (t === undefined || t === null) tagMap = {}
    else if (typeof t !== 'object' || Array.isArray(t)) throw new InvalidConfigError(`${path}.tags`, 'must be an object of tag name to value')
    else {
      tagMap = {}
      for (const [k, v] of Object.entries(t)) {
        if (k === '') throw new InvalidConfigError(`${path}.tags`, 'must not have an empty tag name')
        if (typeof v !== 'string') throw new InvalidConfigError(`${path}.tags.${k}`, `must be a string, got ${JSON.stringify(v)}`)
        tagMap[k] = v
      }
    }
  }
  return { metric_ttl: ttl(tags, path, INFORMER_DEFAULTS.tags.metric_ttl), tags: tagMap }
}

/** Parses `informer.pinqueue`; absent → defaults. */
export function parsePinQueueInformerConfig(value: unknown, path = 'informer.pinqueue'): PinQueueInformerConfig {
  const pinqueue = section(value, path)
  const bucket = pinqueue?.weight_bucket_size
  if (bucket !== undefined && (typeof bucket !== 'number' || !Number.isInteger(bucket) || bucket <= 0)) {
    throw new InvalidConfigError(`${path}.weight_bucket_size`, `must be an integer > 0, got ${JSON.stringify(bucket)}`)
  }
  return {
    metric_ttl: ttl(pinqueue, path, INFORMER_DEFAULTS.pinqueue.metric_ttl),
    weight_bucket_size: (bucket as number | undefined) ?? INFORMER_DEFAULTS.pinqueue.weight_bucket_size,
  }
}

/** Parses `informer.numpin` (the informer runs only when the section exists). */
export function parseNumPinInformerConfig(value: unknown, path = 'informer.numpin'): NumPinInformerConfig {
  return { metric_ttl: ttl(section(value, path), path, INFORMER_DEFAULTS.numpin.metric_ttl) }
}

/** Parses the whole `informer` section (one parser per component above). */
export function parseInformersConfig(value: unknown, path = 'informer'): InformersConfig {
  const root = section(value, path)
  return {
    disk: parseDiskInformerConfig(root?.disk, `${path}.disk`),
    tags: parseTagsInformerConfig(root?.tags, `${path}.tags`),
    pinqueue: parsePinQueueInformerConfig(root?.pinqueue, `${path}.pinqueue`),
    numpin: root?.numpin === undefined || root.numpin === null ? undefined : parseNumPinInformerConfig(root.numpin, `${path}.numpin`),
  }
}
