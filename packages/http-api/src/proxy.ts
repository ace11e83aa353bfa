/**
 * The IPFS proxy (reference §3): a Kubo-compatible RPC endpoint. `pin/add`, `pin/rm`, `pin/ls`,
 * `pin/update`, `add`, `repo/stat`, `repo/gc`, and `block/put`/`dag/put` with `pin=true` are
 * answered as cluster operations (Kubo-style JSON, Kubo-style errors); every other request is
 * forwarded to the Kubo node unchanged, streaming both ways. A peer with an embedded IPFS node
 * has no Kubo behind it: it answers `version`, `id` and `block/put` itself and refuses the rest
 * with a clear message. A Hono app factory: it never binds a port.
 *
 * Hijacked responses carry Kubo's CORS and extracted headers (`proxy-headers.ts`), and hijacked
 * streams (`add`, `pin/ls?stream=true`, `repo/gc`, `block/put`/`dag/put` with `pin=true`)
 * declare `Trailer: X-Stream-Error` and put a failure after the first line there, as Kubo does
 * (the trailer needs `@hono/node-server`: `c.env.outgoing`).
 */
import type { ClusterApi, IpfsConnector, Pin, PinOptions } from '@pinmesh/interface'
import { defaultPinOptions, InvalidArgumentError, PinmeshError, stringifyJson } from '@pinmesh/interface'
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import { addResponse, parseAddQuery, queryBool } from './add.js'
import { extraHeaders } from './common.js'
import { forwardRequest } from './forward.js'
import { discardRequestBody, multipartEntries, requestBody } from './multipart.js'
import { ndjson } from './ndjson.js'
import { IPFSPROXY_DEFAULTS, type IpfsProxyConfig } from './proxy-config.js'
import { createKuboHeaders } from './proxy-headers.js'

export interface IpfsProxyInit {
  cluster: ClusterApi
  /** Base URL of the Kubo RPC API (`http://127.0.0.1:5001`); absent with an embedded node. */
  kuboUrl?: string
  /** The local IPFS node: answers `id` and `block/put` when there is no Kubo. */
  ipfs?: Pick<IpfsConnector, 'id' | 'blockPut'>
  /** Header extraction from Kubo (`extract_headers_*`); upstream's defaults when absent. */
  config?: Pick<IpfsProxyConfig, 'extract_headers_extra' | 'extract_headers_path' | 'extract_headers_ttl'>
  logger?: Logger
}

const HIJACKED = ['POST', 'GET', 'PUT']
const MAX_BLOCK = 4 * 1024 * 1024

/** A Kubo command error: `{"Message","Code":0,"Type":"error"}`. */
function kuboError(c: Context, err: unknown, status = 500): Response {
  const message = err instanceof Error ? err.message : String(err)
  return c.json({ Message: message, Code: 0, Type: 'error' }, status as 500)
}

function args(c: Context): string[] {
  const list = new URL(c.req.url).searchParams.getAll('arg')
  const fromPath = c.req.param('arg')
  return fromPath !== undefined && fromPath !== '' ? [decodeURIComponent(fromPath), ...list] : list
}

function pinType(pin: Pin): 'recursive' | 'direct' {
  return pin.max_depth === 0 ? 'direct' : 'recursive'
}

async function readAll(stream: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of stream) {
    size += chunk.byteLength
    if (size > limit) throw new InvalidArgumentError(`block is larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** Builds the IPFS proxy app. */
export function createIpfsProxy(init: IpfsProxyInit): Hono {
  const { cluster, kuboUrl, logger } = init
  const app = new Hono()
  const server = `ipfs-cluster/ipfsproxy/${cluster.version()}`
  const config = init.config ?? IPFSPROXY_DEFAULTS
  const kuboHeaders =
    kuboUrl === undefined
      ? undefined
      : createKuboHeaders(
          {
            kuboUrl,
            extract_headers_extra: config.extract_headers_extra,
            extract_headers_path: config.extract_headers_path,
            extract_headers_ttl: config.extract_headers_ttl,
          },
          logger ? { logger } : {},
        )

  /** Upstream's `setHeaders`, at the start of every hijacked handler: Kubo's CORS and extracted headers, and ours. */
  const hijacked = async (c: Context): Promise<void> => {
    const extra = extraHeaders(c)
    if (kuboHeaders !== undefined) extra.push(...(await kuboHeaders.forRequest(c.req.raw, c.req.raw.signal)))
    extra.push(['Server', server])
  }

  app.use('*', async (c, next) => {
    await next()
    if (c.res.headers.get('x-hono-already-sent') !== null) return // streamed to Node's response: headers were written there
    if (c.res.headers.get('X-Pinmesh-Proxied') !== null) {
      c.res.headers.delete('X-Pinmesh-Proxied')
      return
    }
    if (HIJACKED.includes(c.req.method)) c.res.headers.set('Server', server)
    const extra = extraHeaders(c)
    for (const [name] of extra) c.res.headers.delete(name)
    for (const [name, value] of extra) c.res.headers.append(name, value)
  })
  app.onError((err, c) => {
    discardRequestBody(c)
    logger?.debug({ err: err.message, path: c.req.path }, 'ipfs proxy request failed')
    return kuboError(c, err)
  })

  /** Forwards the request to Kubo unchanged and streams the answer back. */
  const forward = async (c: Context, search?: URLSearchParams): Promise<Response> => {
    if (kuboUrl === undefined) {
      return kuboError(c, new PinmeshError(`${c.req.path} is not available: this peer runs an embedded IPFS node, there is no Kubo to forward to`), 404)
    }
    const url = new URL(c.req.url)
    let res: Response
    try {
      res = await forwardRequest(`${kuboUrl}${url.pathname}${search !== undefined ? `?${search}` : url.search}`, c.req.raw, requestBody(c), c.req.raw.signal)
    } catch (err) {
      return kuboError(c, new PinmeshError(`cannot reach the IPFS node at ${kuboUrl}: ${(err as Error).message}`), 502)
    }
    const out = new Headers(res.headers)
    out.set('X-Pinmesh-Proxied', '1')
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out })
  }

  /** Streams `items` as Kubo does: NDJSON, 200 even when empty, failures after the first line in the `X-Stream-Error` trailer. */
  const kuboStream = <T>(c: Context, items: AsyncIterable<T>, encode: (item: T) => unknown): Promise<Response> =>
    ndjson(c, items, encode, { emptyStatus: 200, onError: kuboError, headers: { 'X-Chunked-Output': '1' } })

  /**
   * Cluster-pins the CID of each output (when `cidOf` gives one) and echoes the output; pin
   * failures do not stop the others and are thrown together at the end (→ the trailer), as upstream.
   */
  async function* pinEach<T>(c: Context, outputs: T[], cidOf: (o: T) => string | undefined, what: string): AsyncGenerator<T> {
    const errors: string[] = []
    for (const o of outputs) {
      const cid = cidOf(o)
      if (cid !== undefined) await cluster.pin(cid, defaultPinOptions(), c.req.raw.signal).catch((err: Error) => errors.push(`${cid}: ${err.message}`))
      yield o
    }
    if (errors.length > 0) {
      logger?.warn({ errors }, `${what} through the proxy could not pin every block`)
      throw new PinmeshError(errors.join('; '))
    }
  }

  const pinOptions = (c: Context): PinOptions => {
    const q = new URL(c.req.url).searchParams
    const o = defaultPinOptions()
    o.mode = q.get('type') === 'direct' ? 'direct' : 'recursive'
    o.name = q.get('name') ?? ''
    return o
  }

  /** `pin/add` and `pin/rm`: resolve every `arg` and apply `op` to it, answering `{Pins: [...]}`. */
  const eachPath = (op: (c: Context, cid: string) => Promise<unknown>) => async (c: Context) => {
    const list = args(c)
    if (list.length === 0) return kuboError(c, new InvalidArgumentError('argument "ipfs-path" is required'), 400)
    const pins: string[] = []
    for (const arg of list) {
      const cid = await cluster.resolve(arg, { signal: c.req.raw.signal }).catch((err: Error) => {
        throw new InvalidArgumentError(`Error parsing IPFS Path: ${err.message}`)
      })
      await op(c, cid)
      pins.push(cid)
    }
    return c.json({ Pins: pins })
  }
  const pinAdd = eachPath((c, cid) => cluster.pin(cid, pinOptions(c), c.req.raw.signal))
  const pinRm = eachPath((c, cid) => cluster.unpin(cid, { signal: c.req.raw.signal }))

  const pinLs = async (c: Context) => {
    const q = new URL(c.req.url).searchParams
    const stream = queryBool(q, 'stream') === true || queryBool(q, 's') === true
    const list = args(c)
    if (list.length > 0) {
      const found: Pin[] = []
      for (const arg of list) {
        const cid = await cluster.resolve(arg, { signal: c.req.raw.signal })
        const pin = await cluster.allocation(cid, { signal: c.req.raw.signal }).catch(() => undefined)
        if (pin === undefined) return kuboError(c, new PinmeshError(`Error: path '${arg}' is not pinned`))
        found.push(pin)
      }
      if (stream) return c.body(found.map((p) => `${stringifyJson({ Cid: p.cid, Type: pinType(p) })}\n`).join(''), 200, { 'Content-Type': 'application/json' })
      return c.json({ Keys: Object.fromEntries(found.map((p) => [p.cid, { Type: 'recursive' }])) })
    }
    const pins = cluster.allocations({ signal: c.req.raw.signal })
    if (!stream) {
      const keys: Record<string, { Type: string }> = {}
      for await (const p of pins) keys[p.cid] = { Type: 'recursive' }
      return c.json({ Keys: keys })
    }
    return kuboStream(c, pins, (p) => ({ Cid: p.cid, Type: pinType(p) }))
  }

  const pinUpdate = async (c: Context) => {
    const list = args(c)
    if (list.length < 1) return kuboError(c, new InvalidArgumentError('argument "from-path" is required'), 400)
    if (list.length < 2) return kuboError(c, new InvalidArgumentError('argument "to-path" is required'), 400)
    const unpin = queryBool(new URL(c.req.url).searchParams, 'unpin') ?? true
    const from = await cluster.resolve(list[0] as string, { signal: c.req.raw.signal })
    const to = await cluster.resolve(list[1] as string, { signal: c.req.raw.signal })
    const options = defaultPinOptions()
    options.pin_update = from
    await cluster.pin(to, options, c.req.raw.signal)
    if (unpin && from !== to) await cluster.unpin(from, { signal: c.req.raw.signal })
    return c.json({ Pins: [from, to] })
  }

  const add = async (c: Context) => {
    const q = new URL(c.req.url).searchParams
    if (queryBool(q, 'only-hash') === true) return kuboError(c, new InvalidArgumentError('only-hash is not supported by the cluster proxy'))
    const options = parseAddQuery(q)
    if (queryBool(q, 'trickle') === true) options.layout = 'trickle'
    if (queryBool(q, 'pin') === false) options.noPin = true
    return addResponse(
      c,
      cluster,
      options,
      (o) => ({
        Name: o.name,
        ...(o.cid !== null ? { Hash: o.cid } : {}),
        ...(o.bytes ? { Bytes: o.bytes } : {}),
        ...(o.size ? { Size: String(o.size) } : {}),
      }),
      kuboError,
    )
  }

  const repoStat = async (c: Context) => {
    if (cluster.ipfsRepoStat === undefined) return kuboError(c, new PinmeshError('repo stat is not available on this peer'))
    const s = await cluster.ipfsRepoStat({ signal: c.req.raw.signal })
    // upstream answers RepoSize and StorageMax; NumObjects too, because kubo-rpc-client requires it
    return c.json({ RepoSize: s.repoSize, StorageMax: s.storageMax, NumObjects: s.numObjects, RepoPath: '', Version: '' })
  }

  const repoGc = async (c: Context) => {
    const streamErrors = queryBool(new URL(c.req.url).searchParams, 'stream-errors') === true
    const gc = await cluster.repoGc({ signal: c.req.raw.signal })
    // Per-key errors (unless stream-errors) and failed peers end up in the X-Stream-Error trailer,
    // or in an error response when nothing was collected.
    async function* keys() {
      const errors: string[] = []
      for (const peer of Object.values(gc.peer_map)) {
        if (peer.error) errors.push(`${peer.peername || peer.peer}: ${peer.error}`)
        for (const k of peer.keys) {
          if (k.error && !streamErrors) errors.push(k.error)
          yield { Key: k.key === null ? null : { '/': k.key }, ...(streamErrors && k.error ? { Error: k.error } : {}) }
        }
      }
      if (errors.length > 0) {
        logger?.warn({ errors }, 'repo gc through the proxy reported errors')
        throw new PinmeshError(errors.join('; '))
      }
    }
    return kuboStream(c, keys(), (k) => k)
  }

  /** `block/put` with pin=true through Kubo, or any `block/put` on an embedded node. */
  const blockPut = async (c: Context) => {
    const q = new URL(c.req.url).searchParams
    const pin = queryBool(q, 'pin') === true
    let results: { Key: string; Size: number }[]
    if (kuboUrl !== undefined) {
      if (!pin) return forward(c)
      await hijacked(c)
      const res = await forward(c)
      if (res.status !== 200) return res
      const text = await res.text()
      results = text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { Key: string; Size: number })
    } else {
      if (init.ipfs === undefined) return forward(c)
      await hijacked(c)
      results = []
      const format = q.get('cid-codec') || q.get('format') || 'raw'
      const mhtype = q.get('mhtype') || 'sha2-256'
      for await (const entry of multipartEntries(requestBody(c), c.req.header('content-type') ?? '', c.req.raw.signal)) {
        if (entry.content === undefined) continue
        const bytes = entry.content instanceof Uint8Array ? entry.content : await readAll(entry.content, MAX_BLOCK)
        results.push({ Key: await init.ipfs.blockPut(bytes, { format, mhtype, signal: c.req.raw.signal }), Size: bytes.byteLength })
      }
    }
    return kuboStream(
      c,
      pinEach(c, results, (r) => (pin ? r.Key : undefined), 'block/put'),
      (r) => r,
    )
  }

  /** `dag/put` with pin=true: Kubo stores without pinning, the cluster pins. */
  const dagPut = async (c: Context) => {
    const q = new URL(c.req.url).searchParams
    if (queryBool(q, 'pin') !== true) return forward(c)
    await hijacked(c)
    q.set('pin', 'false')
    const res = await forward(c, q)
    if (res.status !== 200) return res
    const text = await res.text()
    const outputs = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { Cid?: { '/': string } })
    return kuboStream(
      c,
      pinEach(c, outputs, (o) => o.Cid?.['/'], 'dag/put'),
      (o) => o,
    )
  }

  const embeddedVersion = async (c: Context) => {
    if (kuboUrl !== undefined) return forward(c)
    return c.json({ Version: `pinmesh-embedded-${cluster.version()}`, Commit: '', Repo: '', System: `${process.arch}/${process.platform}`, Golang: '' })
  }

  const embeddedId = async (c: Context) => {
    if (kuboUrl !== undefined || init.ipfs === undefined) return forward(c)
    const id = await init.ipfs.id({ signal: c.req.raw.signal })
    return c.json({ ID: id.id, PublicKey: '', Addresses: id.addresses, AgentVersion: `pinmesh/${cluster.version()}`, Protocols: [] })
  }

  /** Always hijacked: Kubo's headers are fetched first (block/put and dag/put decide by themselves). */
  const always =
    (handler: (c: Context) => Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      await hijacked(c)
      return handler(c)
    }
  const routes: [string, (c: Context) => Promise<Response>][] = [
    ['pin/add', always(pinAdd)],
    ['pin/rm', always(pinRm)],
    ['pin/ls', always(pinLs)],
    ['pin/update', always(pinUpdate)],
    ['add', always(add)],
    ['repo/stat', always(repoStat)],
    ['repo/gc', always(repoGc)],
    ['block/put', blockPut],
    ['dag/put', dagPut],
    ['version', embeddedVersion],
    ['id', embeddedId],
  ]
  for (const [path, handler] of routes) {
    app.on(HIJACKED, `/api/v0/${path}`, handler)
    if (path.startsWith('pin/')) {
      app.on(HIJACKED, `/api/v0/${path}/:arg{.+}`, (c) => {
        logger?.error({ path: c.req.path }, 'deprecated: the argument of an IPFS proxy request should be in the arg query parameter')
        return handler(c)
      })
    }
  }
  app.all('*', (c) => forward(c))
  return app
}
