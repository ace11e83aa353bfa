/**
 * `api.ipfsproxy` (reference §5.7): upstream's keys and defaults, validated once with the key
 * path in errors. Durations are Go strings in files, milliseconds once parsed.
 */
import { InvalidConfigError, parseDuration } from '@pinmesh/interface'

export interface IpfsProxyConfig {
  listen_multiaddress: string
  /** The Kubo RPC API everything not hijacked is forwarded to. */
  node_multiaddress: string
  node_https: boolean
  log_file: string
  read_timeout: number
  read_header_timeout: number
  write_timeout: number
  idle_timeout: number
  max_header_bytes: number
  /** Header names copied from Kubo onto hijacked responses, besides `Access-Control-Expose-Headers`. */
  extract_headers_extra: string[]
  /** Kubo endpoint those headers are read from (a `POST`). */
  extract_headers_path: string
  /** How long extracted headers are reused, ms; 0 = extracted once, kept forever. */
  extract_headers_ttl: number
}

export const IPFSPROXY_DEFAULTS: IpfsProxyConfig = {
  listen_multiaddress: '/ip4/127.0.0.1/tcp/9095',
  node_multiaddress: '/ip4/127.0.0.1/tcp/5001',
  node_https: false,
  log_file: '',
  read_timeout: 0,
  read_header_timeout: 5_000,
  write_timeout: 0,
  idle_timeout: 60_000,
  max_header_bytes: 4096,
  extract_headers_extra: [],
  extract_headers_path: '/api/v0/version',
  extract_headers_ttl: 5 * 60_000,
}

const MULTIADDR = /^\/(ip4|ip6|dns|dns4|dns6|unix)\/.+/
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Parses `api.ipfsproxy`; `path` prefixes errors. */
export function parseIpfsProxyConfig(value: unknown, path = 'api.ipfsproxy'): IpfsProxyConfig {
  if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) throw new InvalidConfigError(path, 'must be a JSON object')
  const raw = (value ?? {}) as Record<string, unknown>
  const d = IPFSPROXY_DEFAULTS
  const str = (key: keyof IpfsProxyConfig, fallback: string, addr = false): string => {
    const v = raw[key]
    if (v === undefined || v === null || v === '') return fallback
    if (typeof v !== 'string' || (addr && !MULTIADDR.test(v))) {
      throw new InvalidConfigError(
        `${path}.${key}`,
        addr ? `must be a multiaddress such as ${fallback}, got ${JSON.stringify(v)}` : `must be a string, got ${JSON.stringify(v)}`,
      )
    }
    return v
  }
  const dur = (key: keyof IpfsProxyConfig, fallback: number): number => {
    const v = raw[key]
    if (v === undefined || v === null || v === '') return fallback
    if (typeof v !== 'string') throw new InvalidConfigError(`${path}.${key}`, `must be a duration such as "1m0s", got ${JSON.stringify(v)}`)
    try {
      const ms = parseDuration(v)
      if (ms < 0) throw new Error('negative')
      return ms
    } catch {
      throw new InvalidConfigError(`${path}.${key}`, `must be a duration such as "1m0s", got ${JSON.stringify(v)}`)
    }
  }
  const maxHeader = raw.max_header_bytes ?? d.max_header_bytes
  if (typeof maxHeader !== 'number' || !Number.isInteger(maxHeader) || maxHeader < 0) {
    throw new InvalidConfigError(`${path}.max_header_bytes`, `must be an integer, got ${JSON.stringify(maxHeader)}`)
  }
  const extra = raw.extract_headers_extra ?? d.extract_headers_extra
  if (!Array.isArray(extra)) throw new InvalidConfigError(`${path}.extract_headers_extra`, `must be a list of header names, got ${JSON.stringify(extra)}`)
  extra.forEach((h: unknown, i) => {
    if (typeof h !== 'string' || !HEADER_NAME.test(h)) {
      throw new InvalidConfigError(`${path}.extract_headers_extra[${i}]`, `must be an HTTP header name such as "X-Ipfs-Gateway", got ${JSON.stringify(h)}`)
    }
  })
  const extractPath = str('extract_headers_path', d.extract_headers_path)
  if (!extractPath.startsWith('/') || /[?#\s]/.test(extractPath)) {
    throw new InvalidConfigError(
      `${path}.extract_headers_path`,
      `must be a URL path of the Kubo API such as "/api/v0/version", got ${JSON.stringify(extractPath)}`,
    )
  }
  const https = raw.node_https ?? d.node_https
  if (typeof https !== 'boolean') throw new InvalidConfigError(`${path}.node_https`, `must be true or false, got ${JSON.stringify(https)}`)
  return {
    listen_multiaddress: str('listen_multiaddress', d.listen_multiaddress, true),
    node_multiaddress: str('node_multiaddress', d.node_multiaddress, true),
    node_https: https,
    log_file: str('log_file', d.log_file),
    read_timeout: dur('read_timeout', d.read_timeout),
    read_header_timeout: dur('read_header_timeout', d.read_header_timeout),
    write_timeout: dur('write_timeout', d.write_timeout),
    idle_timeout: dur('idle_timeout', d.idle_timeout),
    max_header_bytes: maxHeader === 0 ? 4096 : maxHeader,
    extract_headers_extra: extra as string[],
    extract_headers_path: extractPath,
    extract_headers_ttl: dur('extract_headers_ttl', d.extract_headers_ttl),
  }
}
