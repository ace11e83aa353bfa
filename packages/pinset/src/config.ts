/**
 * The pinset's configuration and its validation. Keys follow upstream's `consensus.crdt`
 * section (reference §9); durations are Go duration strings.
 */
import { InvalidConfigError, parseDuration } from '@pinmesh/interface'
import { DEFAULTS } from './defaults.js'

export interface BatchingConfig {
  max_batch_size: number
  /** Milliseconds. */
  max_batch_age: number
  max_queue_size: number
}

export interface PinsetConfig {
  /** Folder of the LevelDB state. */
  path: string
  /** Cluster name; the gossip topic derives from it. */
  cluster_name: string
  /** Peer IDs whose updates are applied; `*` trusts everyone. */
  trusted_peers: string[]
  batching: BatchingConfig
  /** Number of shards (power of two), fixed for a state. */
  shards: number
  /** Milliseconds between digest announcements (0 disables them). */
  digest_interval: number
  /** Largest gossip message in bytes. */
  max_message_size: number
  /** Largest sync chunk in bytes. */
  sync_chunk_size: number
}

/** Builds a complete config from a partial one (programmatic use; values are trusted). */
export function pinsetConfig(init: Partial<Omit<PinsetConfig, 'batching'>> & { path: string; batching?: Partial<BatchingConfig> }): PinsetConfig {
  const config: PinsetConfig = {
    path: init.path,
    cluster_name: init.cluster_name ?? DEFAULTS.cluster_name,
    trusted_peers: init.trusted_peers ?? [...DEFAULTS.trusted_peers],
    batching: { ...DEFAULTS.batching, ...init.batching },
    shards: init.shards ?? DEFAULTS.shards,
    digest_interval: init.digest_interval ?? DEFAULTS.digest_interval,
    max_message_size: init.max_message_size ?? DEFAULTS.max_message_size,
    sync_chunk_size: init.sync_chunk_size ?? DEFAULTS.sync_chunk_size,
  }
  checkConfig(config, 'consensus.crdt')
  return config
}

function obj(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, 'must be an object')
  return value as Record<string, unknown>
}

/** Upstream rule: an absent value (and, where `zeroDefault`, 0) keeps the default. */
function int(value: unknown, path: string, fallback: number, min: number, zeroDefault = false): number {
  if (value === undefined || (zeroDefault && value === 0)) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new InvalidConfigError(path, `must be an integer >= ${min}`)
  return value
}

function duration(value: unknown, path: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  let ms: number
  try {
    ms = parseDuration(value as string, path)
  } catch {
    throw new InvalidConfigError(path, `must be a Go duration such as "50ms", got ${JSON.stringify(value)}`)
  }
  if (ms < 0) throw new InvalidConfigError(path, 'must not be negative')
  return ms
}

/**
 * Validates a `consensus.crdt` section (as parsed from JSON; upstream rules: unknown keys are
 * ignored, absent or empty values and 0 batch sizes keep the defaults; upstream's "batching
 * disabled" `0s` age keeps the default too, since writes are always group-committed) plus the pinmesh-only keys
 * (`shards`, `digest_interval`, `max_message_size`, `sync_chunk_size`). Errors name the key
 * path, e.g. `consensus.crdt.batching.max_batch_size`.
 */
export function parsePinsetConfig(value: unknown, path = 'consensus.crdt', storage = ''): PinsetConfig {
  const o = obj(value, path)
  const b = obj(o.batching, `${path}.batching`)
  let trusted: string[] = [...DEFAULTS.trusted_peers]
  if (o.trusted_peers !== undefined) {
    if (!Array.isArray(o.trusted_peers) || o.trusted_peers.some((p) => typeof p !== 'string' || p === '')) {
      throw new InvalidConfigError(`${path}.trusted_peers`, 'must be an array of peer IDs or "*"')
    }
    trusted = o.trusted_peers as string[]
  }
  if (o.cluster_name !== undefined && (typeof o.cluster_name !== 'string' || o.cluster_name === '')) {
    throw new InvalidConfigError(`${path}.cluster_name`, 'must be a non-empty string')
  }
  const config: PinsetConfig = {
    path: typeof o.path === 'string' ? o.path : storage,
    cluster_name: (o.cluster_name as string | undefined) ?? DEFAULTS.cluster_name,
    trusted_peers: trusted,
    batching: {
      // 0 keeps the default, as in upstream's files (`"max_batch_size": 0, "max_batch_age": "0s"`).
      max_batch_size: int(b.max_batch_size, `${path}.batching.max_batch_size`, DEFAULTS.batching.max_batch_size, 0, true),
      max_batch_age: duration(b.max_batch_age, `${path}.batching.max_batch_age`, DEFAULTS.batching.max_batch_age) || DEFAULTS.batching.max_batch_age,
      max_queue_size: int(b.max_queue_size, `${path}.batching.max_queue_size`, DEFAULTS.batching.max_queue_size, 0, true),
    },
    shards: int(o.shards, `${path}.shards`, DEFAULTS.shards, 1),
    digest_interval: duration(o.digest_interval, `${path}.digest_interval`, DEFAULTS.digest_interval),
    max_message_size: int(o.max_message_size, `${path}.max_message_size`, DEFAULTS.max_message_size, 64 * 1024),
    sync_chunk_size: int(o.sync_chunk_size, `${path}.sync_chunk_size`, DEFAULTS.sync_chunk_size, 1024),
  }
  checkConfig(config, path)
  return config
}

function checkConfig(c: PinsetConfig, path: string): void {
  if (c.path === '') throw new InvalidConfigError(`${path}.path`, 'must name the state folder')
  if (!Number.isInteger(c.shards) || c.shards < 1 || c.shards > 65536 || (c.shards & (c.shards - 1)) !== 0) {
    throw new InvalidConfigError(`${path}.shards`, 'must be a power of two between 1 and 65536')
  }
  if (c.batching.max_batch_size < 1) throw new InvalidConfigError(`${path}.batching.max_batch_size`, 'must be an integer >= 1')
  if (c.batching.max_queue_size < c.batching.max_batch_size) {
    throw new InvalidConfigError(`${path}.batching.max_queue_size`, 'must be >= batching.max_batch_size')
  }
  if (c.max_message_size > 4 * 1024 * 1024 - 64 * 1024)
    throw new InvalidConfigError(`${path}.max_message_size`, 'must stay below the 4 MiB gossipsub frame limit')
}
