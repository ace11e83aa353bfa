/**
 * The typed REST client: one method per route of the REST API (reference §1.8) plus bulk
 * pinning. Streams are async iterables that throw a `ClientError` when the server reports a
 * failure in the `X-Stream-Error` trailer. Several peer addresses give fail-over: a request
 * that cannot connect goes to the next address.
 */
import type { IncomingMessage } from 'node:http'
import type { AddedOutput, Alert, ConnectGraph, GlobalPinInfo, GlobalRepoGC, ID, Metric, Pin, PinOptions } from '@pinmesh/interface'
import {
  decodeAddedOutput,
  decodeAlert,
  decodeGlobalPinInfo,
  decodeId,
  decodeMetric,
  decodePin,
  parseJson,
  pinOptionsToQuery,
  stringifyJson,
} from '@pinmesh/interface'
import { ClientError } from './errors.js'
import { type AddEntry, multipartBody } from './multipart.js'
import { isConnectError, readLines, readText, send } from './transport.js'

export interface ClientConfig {
  /**
   * Peer API addresses, tried in order on connection failure: URLs (`http://127.0.0.1:9094`) or
   * multiaddresses (`/ip4/127.0.0.1/tcp/9094`, `/dns4/host/tcp/9094`). Default `127.0.0.1:9094`.
   */
  hosts?: string[]
  /** Use HTTPS for multiaddress hosts. */
  https?: boolean
  /** Accept any server certificate (`--no-check-certificate`). */
  insecure?: boolean
  username?: string
  password?: string
  /** A JWT from `POST /token` (sent as Bearer; takes precedence over basic auth). */
  token?: string
  /** Per-request timeout in ms (0 = none). */
  timeout?: number
}

export interface RequestOptions {
  signal?: AbortSignal
}

export interface LocalOptions extends RequestOptions {
  local?: boolean
}

export interface StatusAllOptions extends LocalOptions {
  /** TrackerStatus filter (`pinned,pin_error`, `error`, ...). */
  filter?: string
  cids?: string[]
}

export type BulkPinInput = Partial<PinOptions> & { cid: string }
export type BulkPinOutput = { ok: true; pin: Pin } | { ok: false; line: number; cid: string | null; code: number; message: string }

export interface AddOptions extends Partial<PinOptions>, RequestOptions {
  /** Extra add query parameters (`cid-version`, `raw-leaves`, `wrap-with-directory`, `local`, `no-pin`, `progress`, ...). */
  params?: Record<string, string | number | boolean>
  /** Bytes of file content sent so far. */
  onBytesSent?(total: number): void
}

export type BandwidthByProtocol = Record<string, { total_in: number; total_out: number; rate_in: number; rate_out: number }> | null

function baseUrl(host: string, https: boolean): string {
  if (/^https?:\/\//.test(host)) return host.replace(/\/+$/, '')
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)(?:\/(https|http))?\/?$/.exec(host)
  if (m === null) throw new ClientError(0, `invalid API address ${JSON.stringify(host)}: expected a URL or a multiaddress like /ip4/127.0.0.1/tcp/9094`)
  const scheme = m[4] === 'https' || https ? 'https' : 'http'
  const name = m[1] === 'ip6' ? `[${m[2]}]` : m[2]
  return `${scheme}://${name}:${m[3]}`
}

export class PinmeshClient {
  private readonly bases: string[]
  private current = 0
  private readonly auth: string | undefined

  constructor(private readonly config: ClientConfig = {}) {
    const hosts = config.hosts !== undefined && config.hosts.length > 0 ? config.hosts : ['/ip4/127.0.0.1/tcp/9094']
    this.bases = hosts.map((h) => baseUrl(h, config.https ?? false))
    if (config.token !== undefined) this.auth = `Bearer ${config.token}`
    else if (config.username !== undefined) this.auth = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`
  }

  /** The base URL requests currently go to. */
  get baseUrl(): string {
    return this.bases[this.current] as string
  }

  private signal(options?: RequestOptions): AbortSignal | undefined {
    const timeout = this.config.timeout ?? 0
    const signals = [options?.signal, timeout > 0 ? AbortSignal.timeout(timeout) : undefined].filter((s): s is AbortSignal => s !== undefined)
    return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals)
  }

  /** Sends a request to the first address that accepts a connection. */
  async raw(method: string, path: string, init: { body?: RawBody; contentType?: string; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    const headers: Record<string, string> = {}
    if (this.auth !== undefined) headers.Authorization = this.auth
    if (init.contentType !== undefined) headers['Content-Type'] = init.contentType
    const errors: string[] = []
    const replayable = init.body === undefined || typeof init.body === 'string' || init.body instanceof Uint8Array
    for (let i = 0; i < this.bases.length; i++) {
      const index = (this.current + i) % this.bases.length
      const url = new URL(`${this.bases[index]}${path}`)
      try {
        const res = await send({ method, url, headers, body: init.body, signal: init.signal, rejectUnauthorized: !(this.config.insecure ?? false) })
        this.current = index
        return res
      } catch (err) {
        if (init.signal?.aborted)
          throw new ClientError(0, `${method} ${path}: ${init.signal.reason instanceof Error ? init.signal.reason.message : 'aborted'}`, { cause: err })
        errors.push(`${url.origin}: ${(err as Error).message}`)
        if (!isConnectError(err) || !replayable) break
      }
    }
    throw new ClientError(0, `${method} ${path}: ${errors.join('; ')}`)
  }

  private async failure(res: IncomingMessage): Promise<ClientError> {
    const text = await readText(res)
    try {
      const body = JSON.parse(text) as { code?: unknown; message?: unknown; error?: { reason?: unknown } }
      if (typeof body.message === 'string') return new ClientError(typeof body.code === 'number' ? body.code : (res.statusCode ?? 0), body.message)
      if (typeof body.error?.reason === 'string') return new ClientError(res.statusCode ?? 0, body.error.reason)
    } catch {
      // not JSON
    }
    return new ClientError(res.statusCode ?? 0, text.trim() === '' ? `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim() : text.trim())
  }

  /** A single-object request: parsed JSON, or `undefined` for 204. */
  async json(method: string, path: string, options?: RequestOptions & { body?: RawBody; contentType?: string }): Promise<unknown> {
    const res = await this.raw(method, path, { signal: this.signal(options), body: options?.body, contentType: options?.contentType })
    if ((res.statusCode ?? 0) >= 400) throw await this.failure(res)
    const text = await readText(res)
    if (res.statusCode === 204 || text === '') return undefined
    return parseJson(text)
  }

  /** A streamed request: one decoded item per NDJSON line; trailer errors are thrown at the end. */
  async *stream<T>(
    method: string,
    path: string,
    decode: (v: unknown) => T,
    options?: RequestOptions & { body?: RawBody; contentType?: string },
  ): AsyncIterable<T> {
    const res = await this.raw(method, path, { signal: this.signal(options), body: options?.body, contentType: options?.contentType })
    if ((res.statusCode ?? 0) >= 400) throw await this.failure(res)
    if (res.statusCode === 204) {
      res.resume()
      return
    }
    for await (const line of readLines(res)) yield decode(parseJson(line))
    const trailer = res.trailers['x-stream-error']
    if (trailer !== undefined && trailer !== '') throw new ClientError(500, trailer)
    if (res.headers.trailer !== undefined && trailer === undefined && !res.complete) throw new ClientError(0, `${method} ${path}: stream ended early`)
  }

  // --- routes ------------------------------------------------------------------------------

  async id(options?: RequestOptions): Promise<ID> {
    return decodeId(await this.json('GET', '/id', options))
  }

  async version(options?: RequestOptions): Promise<string> {
    const v = (await this.json('GET', '/version', options)) as { version?: unknown }
    return String(v.version)
  }

  peers(options?: RequestOptions): AsyncIterable<ID> {
    return this.stream('GET', '/peers', (v) => decodeId(v), options)
  }

  async peerAdd(peerId: string, options?: RequestOptions): Promise<ID> {
    return decodeId(await this.json('POST', '/peers', { ...options, body: JSON.stringify({ peer_id: peerId }), contentType: 'application/json' }))
  }

  async peerRemove(peerId: string, options?: RequestOptions): Promise<void> {
    await this.json('DELETE', `/peers/${encodeURIComponent(peerId)}`, options)
  }

  /** `POST /pins/{cid}` with options as query parameters. */
  async pin(cid: string, options: Partial<PinOptions> = {}, req?: RequestOptions): Promise<Pin> {
    return decodePin(await this.json('POST', `/pins/${encodeURIComponent(cid)}?${pinOptionsToQuery(options)}`, req))
  }

  /** `POST /pins/ipfs/<cid or path>` as the Go CLI does (a bare CID becomes `/ipfs/<cid>`). */
  async pinPath(path: string, options: Partial<PinOptions> = {}, req?: RequestOptions): Promise<Pin> {
    return decodePin(await this.json('POST', `/pins${ipfsPath(path)}?${pinOptionsToQuery(options)}`, req))
  }

  async unpin(cid: string, options?: RequestOptions): Promise<Pin> {
    return decodePin(await this.json('DELETE', `/pins/${encodeURIComponent(cid)}`, options))
  }

  async unpinPath(path: string, options?: RequestOptions): Promise<Pin> {
    return decodePin(await this.json('DELETE', `/pins${ipfsPath(path)}`, options))
  }

  /** Bulk pinning (pinmesh extension): one result per input, in input order. */
  bulkPin(pins: Iterable<BulkPinInput> | AsyncIterable<BulkPinInput>, options?: RequestOptions): AsyncIterable<BulkPinOutput> {
    const enc = new TextEncoder()
    async function* body(): AsyncIterable<Uint8Array> {
      let batch = ''
      for await (const p of pins as AsyncIterable<BulkPinInput>) {
        batch += `${stringifyJson(p)}\n`
        if (batch.length > 64 * 1024) {
          yield enc.encode(batch)
          batch = ''
        }
      }
      if (batch !== '') yield enc.encode(batch)
    }
    return this.stream(
      'POST',
      '/pins',
      (v): BulkPinOutput => {
        const o = v as Record<string, unknown>
        if (typeof o.code === 'number' && typeof o.message === 'string' && typeof o.line === 'number')
          return { ok: false, line: o.line, cid: (o.cid as string | null) ?? null, code: o.code, message: o.message }
        return { ok: true, pin: decodePin(v) }
      },
      { ...options, body: body(), contentType: 'application/x-ndjson' },
    )
  }

  allocations(filter?: string, options?: RequestOptions): AsyncIterable<Pin> {
    const q = filter !== undefined && filter !== '' ? `?filter=${encodeURIComponent(filter)}` : ''
    return this.stream('GET', `/allocations${q}`, (v) => decodePin(v), options)
  }

  async allocation(cid: string, options?: RequestOptions): Promise<Pin> {
    return decodePin(await this.json('GET', `/allocations/${encodeURIComponent(cid)}`, options))
  }

  async status(cid: string, options?: LocalOptions): Promise<GlobalPinInfo> {
    return decodeGlobalPinInfo(await this.json('GET', `/pins/${encodeURIComponent(cid)}?local=${options?.local === true}`, options))
  }

  statusAll(options?: StatusAllOptions): AsyncIterable<GlobalPinInfo> {
    const q = new URLSearchParams({ local: String(options?.local === true), filter: options?.filter ?? '', cids: (options?.cids ?? []).join(',') })
    return this.stream('GET', `/pins?${q}`, (v) => decodeGlobalPinInfo(v), options)
  }

  async recover(cid: string, options?: LocalOptions): Promise<GlobalPinInfo> {
    return decodeGlobalPinInfo(await this.json('POST', `/pins/${encodeURIComponent(cid)}/recover?local=${options?.local === true}`, options))
  }

  recoverAll(options?: LocalOptions): AsyncIterable<GlobalPinInfo> {
    return this.stream('POST', `/pins/recover?local=${options?.local === true}`, (v) => decodeGlobalPinInfo(v), options)
  }

  async repoGc(options?: LocalOptions): Promise<GlobalRepoGC> {
    return (await this.json('POST', `/ipfs/gc?local=${options?.local === true}`, options)) as GlobalRepoGC
  }

  async healthGraph(options?: RequestOptions): Promise<ConnectGraph> {
    return (await this.json('GET', '/health/graph', options)) as ConnectGraph
  }

  async alerts(options?: RequestOptions): Promise<Alert[]> {
    const list = await this.json('GET', '/health/alerts', options)
    return ((list as unknown[] | undefined) ?? []).map((a, i) => decodeAlert(a, `[${i}]`))
  }

  async bandwidth(options?: RequestOptions): Promise<BandwidthByProtocol> {
    return ((await this.json('GET', '/health/bandwidth', options)) ?? null) as BandwidthByProtocol
  }

  async metricNames(options?: RequestOptions): Promise<string[]> {
    return ((await this.json('GET', '/monitor/metrics', options)) as string[] | undefined) ?? []
  }

  async metrics(name: string, options?: RequestOptions): Promise<Metric[]> {
    const list = await this.json('GET', `/monitor/metrics/${encodeURIComponent(name)}`, options)
    return ((list as unknown[] | undefined) ?? []).map((m, i) => decodeMetric(m, `[${i}]`))
  }

  /** A JWT for the configured user (`POST /token`). */
  async token(options?: RequestOptions): Promise<string> {
    const t = (await this.json('POST', '/token', options)) as { token?: unknown }
    if (typeof t?.token !== 'string') throw new ClientError(0, 'POST /token: response has no token')
    return t.token
  }

  /** True when the peer answers `GET /health`. */
  async health(options?: RequestOptions): Promise<boolean> {
    await this.json('GET', '/health', options)
    return true
  }

  /** `POST /add`: streams the files as multipart and yields the AddedOutput lines. */
  add(entries: Iterable<AddEntry> | AsyncIterable<AddEntry>, options: AddOptions = {}): AsyncIterable<AddedOutput> {
    const q = pinOptionsToQuery(options)
    q.set('stream-channels', 'true')
    for (const [k, v] of Object.entries(options.params ?? {})) q.set(k, String(v))
    let sent = 0
    const { contentType, body } = multipartBody(entries, (n) => {
      sent += n
      options.onBytesSent?.(sent)
    })
    return this.stream('POST', `/add?${q}`, (v) => decodeAddedOutput(v), { signal: options.signal, body, contentType })
  }
}

type RawBody = Uint8Array | string | AsyncIterable<Uint8Array>

function ipfsPath(path: string): string {
  const p = path.startsWith('/') ? path : `/ipfs/${path}`
  return p
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/')
}
