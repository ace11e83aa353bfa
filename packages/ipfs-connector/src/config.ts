/**
 * Configuration of the IPFS connectors, validated once at the edge. `ipfs_connector.ipfshttp`
 * keeps upstream's keys and defaults (reference §5.8); `ipfs_connector.embedded` is pinmesh's own
 * section for the embedded Helia node. Durations are Go duration strings in files and
 * milliseconds once parsed.
 */
import { formatDuration, InvalidConfigError, parseDuration } from '@pinmesh/interface'

/** `ipfs_connector.ipfshttp` (reference §5.8). Durations in milliseconds. */
export interface IpfsHttpConfig {
  /** Kubo RPC API multiaddress (`/ip4/127.0.0.1/tcp/5001`, `/dns4/…`, `/unix/…`). */
  node_multiaddress: string
  /** Wait after the node is first reachable before connecting it to other peers' IPFS nodes (0 disables). */
  connect_swarms_delay: number
  /** Default per-request timeout (id, pin ls, repo stat, resolve, block get, swarm, add). */
  ipfs_request_timeout: number
  /** Inactivity timeout of a pin: aborted when no block arrived for this long. */
  pin_timeout: number
  unpin_timeout: number
  repogc_timeout: number
  informer_trigger_interval: number
  unpin_disable: boolean
}

/** `ipfs_connector.embedded`: the embedded Helia node. Durations in milliseconds. */
export interface EmbeddedIpfsConfig {
  /** libp2p listen addresses of the embedded node. */
  listen_multiaddress: string[]
  /** Capacity reported by `repo stat`; 0 = repository size plus free disk space. */
  storage_max: number
  connect_swarms_delay: number
  ipfs_request_timeout: number
  pin_timeout: number
  unpin_timeout: number
  repogc_timeout: number
  unpin_disable: boolean
}

export const IPFSHTTP_DEFAULTS: IpfsHttpConfig = {
  node_multiaddress: '/ip4/127.0.0.1/tcp/5001',
  connect_swarms_delay: 30_000,
  ipfs_request_timeout: 5 * 60_000,
  pin_timeout: 2 * 60_000,
  unpin_timeout: 3 * 3_600_000,
  repogc_timeout: 24 * 3_600_000,
  informer_trigger_interval: 0,
  unpin_disable: false,
}

export const EMBEDDED_DEFAULTS: EmbeddedIpfsConfig = {
  listen_multiaddress: ['/ip4/0.0.0.0/tcp/0'],
  storage_max: 0,
  connect_swarms_delay: 5_000,
  ipfs_request_timeout: 5 * 60_000,
  pin_timeout: 2 * 60_000,
  unpin_timeout: 3 * 3_600_000,
  repogc_timeout: 24 * 3_600_000,
  unpin_disable: false,
}

type Raw = Record<string, unknown>

function object(value: unknown, path: string): Raw {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, 'must be a JSON object')
  return value as Raw
}

function duration(raw: Raw, key: string, path: string, fallback: number): number {
  const v = raw[key]
  if (v === undefined || v === null || v === '') return fallback
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
  if (typeof v !== 'string') throw new InvalidConfigError(`${path}.${key}`, `must be a duration such as "2m0s", got ${typeof v}`)
  let ms: number
  try {
    ms = parseDuration(v)
  } catch {
    throw new InvalidConfigError(`${path}.${key}`, `must be a duration such as "2m0s", got ${JSON.stringify(v)}`)
  }
  if (ms < 0) throw new InvalidConfigError(`${path}.${key}`, `must not be negative, got ${JSON.stringify(v)}`)
  return ms
}

function bool(raw: Raw, key: string, path: string, fallback: boolean): boolean {
  const v = raw[key]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'boolean') throw new InvalidConfigError(`${path}.${key}`, `must be true or false, got ${JSON.stringify(v)}`)
  return v
}

function int(raw: Raw, key: string, path: string, fallback: number): number {
  const v = raw[key]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new InvalidConfigError(`${path}.${key}`, `must be an integer >= 0, got ${JSON.stringify(v)}`)
  return v
}

const MULTIADDR = /^\/(ip4|ip6|dns|dns4|dns6|unix)\/.+/

function multiaddress(raw: Raw, key: string, path: string, fallback: string): string {
  const v = raw[key]
  if (v === undefined || v === null || v === '') return fallback
  if (typeof v !== 'string' || !MULTIADDR.test(v)) {
    throw new InvalidConfigError(`${path}.${key}`, `must be a multiaddress such as /ip4/127.0.0.1/tcp/5001, got ${JSON.stringify(v)}`)
  }
  return v
}

/** Parses `ipfs_connector.ipfshttp`; `path` prefixes error messages (e.g. `ipfs_connector.ipfshttp`). */
export function parseIpfsHttpConfig(value: unknown, path = 'ipfs_connector.ipfshttp'): IpfsHttpConfig {
  const raw = object(value, path)
  const d = IPFSHTTP_DEFAULTS
  return {
    node_multiaddress: multiaddress(raw, 'node_multiaddress', path, d.node_multiaddress),
    connect_swarms_delay: duration(raw, 'connect_swarms_delay', path, d.connect_swarms_delay),
    ipfs_request_timeout: duration(raw, 'ipfs_request_timeout', path, d.ipfs_request_timeout),
    pin_timeout: duration(raw, 'pin_timeout', path, d.pin_timeout),
    unpin_timeout: duration(raw, 'unpin_timeout', path, d.unpin_timeout),
    repogc_timeout: duration(raw, 'repogc_timeout', path, d.repogc_timeout),
    informer_trigger_interval: int(raw, 'informer_trigger_interval', path, d.informer_trigger_interval),
    unpin_disable: bool(raw, 'unpin_disable', path, d.unpin_disable),
  }
}

/** Parses `ipfs_connector.embedded`. */
export function parseEmbeddedIpfsConfig(value: unknown, path = 'ipfs_connector.embedded'): EmbeddedIpfsConfig {
  const raw = object(value, path)
  const d = EMBEDDED_DEFAULTS
  let listen = d.listen_multiaddress
  const l = raw.listen_multiaddress
  if (l !== undefined && l !== null) {
    const list = typeof l === 'string' ? [l] : l
    if (!Array.isArray(list) || list.length === 0 || list.some((a) => typeof a !== 'string' || !MULTIADDR.test(a))) {
      throw new InvalidConfigError(`${path}.listen_multiaddress`, `must be a multiaddress or a non-empty list of them, got ${JSON.stringify(l)}`)
    }
    listen = list as string[]
  }
  return {
    listen_multiaddress: listen,
    storage_max: int(raw, 'storage_max', path, d.storage_max),
    connect_swarms_delay: duration(raw, 'connect_swarms_delay', path, d.connect_swarms_delay),
    ipfs_request_timeout: duration(raw, 'ipfs_request_timeout', path, d.ipfs_request_timeout),
    pin_timeout: duration(raw, 'pin_timeout', path, d.pin_timeout),
    unpin_timeout: duration(raw, 'unpin_timeout', path, d.unpin_timeout),
    repogc_timeout: duration(raw, 'repogc_timeout', path, d.repogc_timeout),
    unpin_disable: bool(raw, 'unpin_disable', path, d.unpin_disable),
  }
}

/** The `ipfshttp` section as written to `service.json` (Go durations). */
export function formatIpfsHttpConfig(c: IpfsHttpConfig): Record<string, unknown> {
  return {
    node_multiaddress: c.node_multiaddress,
    connect_swarms_delay: formatDuration(c.connect_swarms_delay),
    ipfs_request_timeout: formatDuration(c.ipfs_request_timeout),
    pin_timeout: formatDuration(c.pin_timeout),
    unpin_timeout: formatDuration(c.unpin_timeout),
    repogc_timeout: formatDuration(c.repogc_timeout),
    informer_trigger_interval: c.informer_trigger_interval,
  }
}

/** Turns the Kubo API multiaddress into the base URL of its RPC API. */
export function kuboApiUrl(addr: string, https = false, path = 'ipfs_connector.ipfshttp.node_multiaddress'): string {
  const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)(\/https?)?$/.exec(addr)
  if (m === null) {
    throw new InvalidConfigError(
      path,
      `must be a TCP multiaddress such as /ip4/127.0.0.1/tcp/5001 (unix sockets are not supported yet), got ${JSON.stringify(addr)}`,
    )
  }
  const host = m[1] === 'ip6' ? `[${m[2]}]` : (m[2] as string)
  const scheme = https || m[4] === '/https' ? 'https' : 'http'
  return `${scheme}://${host}:${m[3]}`
}
