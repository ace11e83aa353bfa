/**
 * Config sections of the HTTP surfaces, in upstream's key names (reference §1.4, §5.6, §5.13):
 * `api.restapi`, `api.pinsvcapi` and `observations.metrics`. Each parser takes the raw JSON
 * section (or `undefined` for all defaults), validates it once and returns a complete config;
 * errors are `InvalidConfigError` naming the key path. `*EnvOverrides` read upstream's
 * `CLUSTER_<SECTION>_<KEY>` variables into a partial section to merge before parsing.
 */
import { formatDuration, InvalidConfigError, parseDuration } from '@pinmesh/interface'

export interface HttpApiConfig {
  /** Listen multiaddresses (`/ip4/127.0.0.1/tcp/9094`); upstream accepts one string or a list. */
  http_listen_multiaddress: string[]
  ssl_cert_file: string
  ssl_key_file: string
  /** Milliseconds; 0 = none. */
  read_timeout: number
  read_header_timeout: number
  write_timeout: number
  idle_timeout: number
  max_header_bytes: number
  /** `null` = auth disabled. */
  basic_auth_credentials: Record<string, string> | null
  http_log_file: string
  /** Extra response headers, name → values. */
  headers: Record<string, string[]>
  cors_allowed_origins: string[]
  cors_allowed_methods: string[]
  cors_allowed_headers: string[]
  cors_exposed_headers: string[]
  cors_allow_credentials: boolean
  /** Milliseconds; 0 = header omitted. */
  cors_max_age: number
  /** pinmesh: largest JSON request body in bytes (larger → 413). */
  max_body_bytes: number
  /** pinmesh: largest bulk `POST /pins` NDJSON body in bytes (larger → 413). */
  max_bulk_body_bytes: number
}

export type RestApiConfig = HttpApiConfig
export type PinSvcApiConfig = HttpApiConfig

export interface MetricsConfig {
  enable_stats: boolean
  prometheus_endpoint: string
  /** Milliseconds. */
  reporting_interval: number
}

export const REST_API_DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/9094'
export const PINSVC_API_DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/9097'
export const METRICS_DEFAULT_ENDPOINT = '/ip4/127.0.0.1/tcp/8888'
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
export const DEFAULT_MAX_BULK_BODY_BYTES = 256 * 1024 * 1024

function defaults(listen: string): HttpApiConfig {
  return {
    http_listen_multiaddress: [listen],
    ssl_cert_file: '',
    ssl_key_file: '',
    read_timeout: 0,
    read_header_timeout: 5000,
    write_timeout: 0,
    idle_timeout: 120_000,
    max_header_bytes: 4096,
    basic_auth_credentials: null,
    http_log_file: '',
    headers: {},
    cors_allowed_origins: ['*'],
    cors_allowed_methods: ['GET'],
    cors_allowed_headers: [],
    cors_exposed_headers: ['Content-Type', 'X-Stream-Output', 'X-Chunked-Output', 'X-Content-Length'],
    cors_allow_credentials: true,
    cors_max_age: 0,
    max_body_bytes: DEFAULT_MAX_BODY_BYTES,
    max_bulk_body_bytes: DEFAULT_MAX_BULK_BODY_BYTES,
  }
}

/**
 * The `api.restapi` section `pinmesh init` writes: the parser's defaults in `service.json` form
 * (upstream's keys, durations as Go strings, one listen address). TLS files and pinmesh's body
 * limits stay implicit. One source for both, so the file and the parser cannot drift apart.
 */
export function restApiServiceJson(): Record<string, unknown> {
  const d = defaults(REST_API_DEFAULT_LISTEN)
  return {
    http_listen_multiaddress: d.http_listen_multiaddress[0],
    read_timeout: formatDuration(d.read_timeout),
    read_header_timeout: formatDuration(d.read_header_timeout),
    write_timeout: formatDuration(d.write_timeout),
    idle_timeout: formatDuration(d.idle_timeout),
    max_header_bytes: d.max_header_bytes,
    basic_auth_credentials: d.basic_auth_credentials,
    http_log_file: d.http_log_file,
    headers: d.headers,
    cors_allowed_origins: d.cors_allowed_origins,
    cors_allowed_methods: d.cors_allowed_methods,
    cors_allowed_headers: d.cors_allowed_headers,
    cors_exposed_headers: d.cors_exposed_headers,
    cors_allow_credentials: d.cors_allow_credentials,
    cors_max_age: formatDuration(d.cors_max_age),
  }
}

class Section {
  readonly obj: Record<string, unknown>
  constructor(
    value: unknown,
    readonly path: string,
  ) {
    if (value === undefined || value === null) this.obj = {}
    else if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(path, 'must be a JSON object')
    else this.obj = value as Record<string, unknown>
  }
  private at(key: string): string {
    return `${this.path}.${key}`
  }
  string(key: string, fallback: string): string {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'string') throw new InvalidConfigError(this.at(key), `must be a string, got ${JSON.stringify(v)}`)
    return v
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'boolean') throw new InvalidConfigError(this.at(key), `must be true or false, got ${JSON.stringify(v)}`)
    return v
  }
  int(key: string, fallback: number, min = 0): number {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new InvalidConfigError(this.at(key), `must be an integer >= ${min}, got ${JSON.stringify(v)}`)
    return v
  }
  duration(key: string, fallback: number): number {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (typeof v !== 'string') throw new InvalidConfigError(this.at(key), `must be a Go duration string like "2m0s", got ${JSON.stringify(v)}`)
    try {
      const ms = parseDuration(v)
      if (ms < 0) throw new Error('negative')
      return ms
    } catch {
      throw new InvalidConfigError(this.at(key), `must be a non-negative Go duration like "2m0s", got ${JSON.stringify(v)}`)
    }
  }
  stringList(key: string, fallback: string[], allowSingle = false): string[] {
    const v = this.obj[key]
    if (v === undefined || v === null) return fallback
    if (allowSingle && typeof v === 'string') return [v]
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      throw new InvalidConfigError(this.at(key), `must be a list of strings, got ${JSON.stringify(v)}`)
    return [...(v as string[])]
  }
  credentials(key: string): Record<string, string> | null {
    let v = this.obj[key]
    if (v === undefined || v === null) return null
    // Upstream's envconfig map syntax (`CLUSTER_RESTAPI_BASICAUTHCREDENTIALS=user:pass,user2:pass2`).
    if (typeof v === 'string') v = parseCredentialList(v)
    if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidConfigError(this.at(key), 'must be null or an object of user → password')
    const entries = Object.entries(v as Record<string, unknown>)
    if (entries.length === 0) throw new InvalidConfigError(this.at(key), 'should be null or have at least one entry')
    for (const [user, pass] of entries) {
      if (user === '' || typeof pass !== 'string' || pass === '')
        throw new InvalidConfigError(`${this.at(key)}.${user}`, 'user and password must be non-empty strings')
    }
    return Object.fromEntries(entries) as Record<string, string>
  }
  headers(key: string): Record<string, string[]> {
    const v = this.obj[key]
    if (v === undefined || v === null) return {}
    if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidConfigError(this.at(key), 'must be an object of header name → list of values')
    const out: Record<string, string[]> = {}
    for (const [name, values] of Object.entries(v as Record<string, unknown>)) {
      if (typeof values === 'string') out[name] = [values]
      else if (Array.isArray(values) && values.every((s) => typeof s === 'string')) out[name] = values as string[]
      else throw new InvalidConfigError(`${this.at(key)}.${name}`, 'must be a list of strings')
    }
    return out
  }
}

/** `user:pass,user2:pass2` → `{user: 'pass', user2: 'pass2'}` (a password may contain `:`). */
function parseCredentialList(text: string): Record<string, string> {
  const creds: Record<string, string> = {}
  for (const pair of text.split(',')) {
    const i = pair.indexOf(':')
    if (i > 0) creds[pair.slice(0, i)] = pair.slice(i + 1)
    else if (pair !== '') creds[pair] = ''
  }
  return creds
}

const LISTEN = /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}$|^\/unix\/.+/

function parseHttpApiConfig(value: unknown, path: string, listen: string): HttpApiConfig {
  const s = new Section(value, path)
  const d = defaults(listen)
  const maxHeader = s.int('max_header_bytes', 0)
  if (maxHeader !== 0 && maxHeader < 4096) throw new InvalidConfigError(`${path}.max_header_bytes`, `must be 0 (default 4096) or >= 4096, got ${maxHeader}`)
  const addrs = s.stringList('http_listen_multiaddress', d.http_listen_multiaddress, true)
  for (const a of addrs) {
    if (!LISTEN.test(a)) throw new InvalidConfigError(`${path}.http_listen_multiaddress`, `must be a multiaddress like ${listen}, got ${JSON.stringify(a)}`)
  }
  const cert = s.string('ssl_cert_file', '')
  const key = s.string('ssl_key_file', '')
  if ((cert === '') !== (key === '')) throw new InvalidConfigError(`${path}.ssl_cert_file`, 'and ssl_key_file must be set together')
  return {
    http_listen_multiaddress: addrs,
    ssl_cert_file: cert,
    ssl_key_file: key,
    read_timeout: s.duration('read_timeout', d.read_timeout),
    read_header_timeout: s.duration('read_header_timeout', d.read_header_timeout),
    write_timeout: s.duration('write_timeout', d.write_timeout),
    idle_timeout: s.duration('idle_timeout', d.idle_timeout),
    max_header_bytes: maxHeader === 0 ? 4096 : maxHeader,
    basic_auth_credentials: s.credentials('basic_auth_credentials'),
    http_log_file: s.string('http_log_file', ''),
    headers: s.headers('headers'),
    cors_allowed_origins: s.stringList('cors_allowed_origins', d.cors_allowed_origins),
    cors_allowed_methods: s.stringList('cors_allowed_methods', d.cors_allowed_methods),
    cors_allowed_headers: s.stringList('cors_allowed_headers', d.cors_allowed_headers),
    cors_exposed_headers: s.stringList('cors_exposed_headers', d.cors_exposed_headers),
    cors_allow_credentials: s.bool('cors_allow_credentials', d.cors_allow_credentials),
    cors_max_age: s.duration('cors_max_age', d.cors_max_age),
    max_body_bytes: s.int('max_body_bytes', d.max_body_bytes, 1),
    max_bulk_body_bytes: s.int('max_bulk_body_bytes', d.max_bulk_body_bytes, 1),
  }
}

/** Parses `api.restapi` (defaults: listen 127.0.0.1:9094, auth off). */
export function parseRestApiConfig(value: unknown, path = 'api.restapi'): RestApiConfig {
  return parseHttpApiConfig(value, path, REST_API_DEFAULT_LISTEN)
}

/** Parses `api.pinsvcapi` (defaults: listen 127.0.0.1:9097, auth off). */
export function parsePinSvcApiConfig(value: unknown, path = 'api.pinsvcapi'): PinSvcApiConfig {
  return parseHttpApiConfig(value, path, PINSVC_API_DEFAULT_LISTEN)
}

/** Parses `observations.metrics` (defaults: disabled, 127.0.0.1:8888, 30s). */
export function parseMetricsConfig(value: unknown, path = 'observations.metrics'): MetricsConfig {
  const s = new Section(value, path)
  const endpoint = s.string('prometheus_endpoint', METRICS_DEFAULT_ENDPOINT)
  if (!LISTEN.test(endpoint))
    throw new InvalidConfigError(`${path}.prometheus_endpoint`, `must be a multiaddress like ${METRICS_DEFAULT_ENDPOINT}, got ${JSON.stringify(endpoint)}`)
  return {
    enable_stats: s.bool('enable_stats', false),
    prometheus_endpoint: endpoint,
    reporting_interval: s.duration('reporting_interval', 30_000),
  }
}

const ENV_KEYS: Record<string, 'string' | 'list' | 'bool' | 'int' | 'credentials' | 'headers'> = {
  http_listen_multiaddress: 'list',
  ssl_cert_file: 'string',
  ssl_key_file: 'string',
  read_timeout: 'string',
  read_header_timeout: 'string',
  write_timeout: 'string',
  idle_timeout: 'string',
  max_header_bytes: 'int',
  basic_auth_credentials: 'credentials',
  http_log_file: 'string',
  cors_allowed_origins: 'list',
  cors_allowed_methods: 'list',
  cors_allowed_headers: 'list',
  cors_exposed_headers: 'list',
  cors_allow_credentials: 'bool',
  cors_max_age: 'string',
  max_body_bytes: 'int',
  max_bulk_body_bytes: 'int',
  enable_stats: 'bool',
  prometheus_endpoint: 'string',
  reporting_interval: 'string',
}

/**
 * Reads `CLUSTER_<PREFIX>_<KEY WITHOUT UNDERSCORES>` variables (upstream's envconfig names, e.g.
 * `CLUSTER_RESTAPI_BASICAUTHCREDENTIALS=user:pass,user2:pass2`) into a partial section.
 * Values stay loosely typed; the section parser validates them with the key path.
 */
export function envOverrides(prefix: 'RESTAPI' | 'PINSVCAPI' | 'METRICS', env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, kind] of Object.entries(ENV_KEYS)) {
    const v = env[`CLUSTER_${prefix}_${key.replaceAll('_', '').toUpperCase()}`]
    if (v === undefined) continue
    switch (kind) {
      case 'list':
        out[key] = v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
        break
      case 'bool':
        out[key] = v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v
        break
      case 'int':
        out[key] = /^\d+$/.test(v) ? Number(v) : v
        break
      case 'credentials':
        out[key] = parseCredentialList(v)
        break
      default:
        out[key] = v
    }
  }
  return out
}

/** Host and port of a `/ip4|ip6|dns*\/<host>/tcp/<port>` multiaddress. */
export function tcpListenAddress(addr: string, path: string): { hostname: string; port: number } {
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)$/.exec(addr)
  if (m === null) throw new InvalidConfigError(path, `must be a TCP multiaddress like /ip4/127.0.0.1/tcp/9094, got ${JSON.stringify(addr)}`)
  const port = Number(m[3])
  if (port > 65535) throw new InvalidConfigError(path, `port must be <= 65535, got ${port}`)
  return { hostname: m[2] as string, port }
}
