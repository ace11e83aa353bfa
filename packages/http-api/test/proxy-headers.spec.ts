/**
 * Unit tests of the IPFS proxy's header copying and stream trailers. The "Kubo" here is a small
 * HTTP server answering like Kubo does with `API.HTTPHeaders` set (the real Kubo is in
 * test/system/ipfs-proxy-headers.spec.ts); the cluster is the in-memory FakeCluster. The proxy is
 * served on a real socket so trailers can be read.
 */
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { GlobalRepoGC, Pin, PinOptions } from '@pinmesh/interface'
import { defaultPinOptions, InvalidConfigError, PinmeshError } from '@pinmesh/interface'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createIpfsProxy } from '../src/proxy.js'
import { IPFSPROXY_DEFAULTS, parseIpfsProxyConfig } from '../src/proxy-config.js'
import { createKuboHeaders, RETRY_AFTER_FAILURE_MS } from '../src/proxy-headers.js'
import { CIDS, FakeCluster, SELF } from './fake-cluster.js'

const ORIGIN = 'https://example.test'

/** Answers like Kubo with `API.HTTPHeaders: {Access-Control-Allow-Origin: [ORIGIN], X-Extra: [...]}`. */
class KuboLike {
  server!: Server
  url = ''
  posts = 0
  preflights: IncomingHttpHeaders[] = []
  down = false
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (this.down) {
        req.socket.destroy()
        return
      }
      if (req.method === 'OPTIONS') {
        this.preflights.push(req.headers)
        res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
        if (req.headers.origin === ORIGIN) {
          res.setHeader('Access-Control-Allow-Origin', ORIGIN)
          res.setHeader('Access-Control-Allow-Methods', 'POST')
          res.setHeader('Access-Control-Allow-Credentials', 'true')
        }
        res.writeHead(204).end()
        return
      }
      this.posts++
      res.setHeader('Access-Control-Expose-Headers', 'X-Stream-Output, X-Chunked-Output, X-Content-Length')
      res.setHeader('Access-Control-Allow-Headers', 'X-Stream-Output')
      res.setHeader('X-Extra', `v${this.posts}`)
      res.setHeader('X-Other', 'not copied')
      res.setHeader('Content-Type', 'application/json')
      res.end('{"Version":"0.41.0"}')
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }
}

interface Wire {
  status: number
  headers: IncomingHttpHeaders
  body: string
  trailers: Record<string, string | undefined>
}

function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        body += d
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, trailers: res.trailers }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

describe('api.ipfsproxy extract_headers_* config', () => {
  it('has upstream defaults', () => {
    const c = parseIpfsProxyConfig({})
    expect([c.extract_headers_extra, c.extract_headers_path, c.extract_headers_ttl]).toEqual([[], '/api/v0/version', 300_000])
  })

  it('parses values; "0" keeps headers forever', () => {
    const c = parseIpfsProxyConfig({ extract_headers_extra: ['X-Ipfs-Gateway'], extract_headers_path: '/api/v0/id', extract_headers_ttl: '0' })
    expect([c.extract_headers_extra, c.extract_headers_path, c.extract_headers_ttl]).toEqual([['X-Ipfs-Gateway'], '/api/v0/id', 0])
  })

  it.each([
    [{ extract_headers_extra: 'X-A' }, 'api.ipfsproxy.extract_headers_extra'],
    [{ extract_headers_extra: ['X-A', 'bad header'] }, 'api.ipfsproxy.extract_headers_extra[1]'],
    [{ extract_headers_extra: [3] }, 'api.ipfsproxy.extract_headers_extra[0]'],
    [{ extract_headers_path: 'api/v0/version' }, 'api.ipfsproxy.extract_headers_path'],
    [{ extract_headers_path: '/api/v0/version?x=1' }, 'api.ipfsproxy.extract_headers_path'],
    [{ extract_headers_ttl: '5 minutes' }, 'api.ipfsproxy.extract_headers_ttl'],
    [{ extract_headers_ttl: 300 }, 'api.ipfsproxy.extract_headers_ttl'],
  ])('refuses %j naming %s', (value, path) => {
    let err: unknown
    try {
      parseIpfsProxyConfig(value)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(InvalidConfigError)
    expect((err as Error).message).toContain(path)
  })
})

describe('headers extracted from Kubo', () => {
  const kubo = new KuboLike()
  let clock = 1_000_000
  const now = () => clock
  beforeAll(() => kubo.start())
  afterAll(() => kubo.stop())
  afterEach(() => {
    kubo.posts = 0
    kubo.preflights = []
    kubo.down = false
  })

  const req = (origin?: string) => new Request('http://proxy/api/v0/pin/add?arg=x', { method: 'POST', headers: origin ? { Origin: origin } : {} })

  it('copies Access-Control-Expose-Headers and the extra headers, reused within the TTL and extracted again after it', async () => {
    const h = createKuboHeaders(
      { kuboUrl: kubo.url, extract_headers_extra: ['X-Extra'], extract_headers_path: '/api/v0/version', extract_headers_ttl: 60_000 },
      { now },
    )
    const first = await h.forRequest(req())
    expect(first).toEqual([
      ['Access-Control-Expose-Headers', 'X-Stream-Output, X-Chunked-Output, X-Content-Length'],
      ['X-Extra', 'v1'],
    ])
    clock += 59_000
    expect(await h.forRequest(req())).toEqual(first)
    expect(kubo.posts).toBe(1)
    clock += 2_000
    expect((await h.forRequest(req())).find(([n]) => n === 'X-Extra')).toEqual(['X-Extra', 'v2'])
    expect(kubo.posts).toBe(2)
  })

  it('with a TTL of 0 extracts once and keeps the headers forever (upstream)', async () => {
    const h = createKuboHeaders(
      { kuboUrl: kubo.url, extract_headers_extra: ['X-Extra'], extract_headers_path: '/api/v0/version', extract_headers_ttl: 0 },
      { now },
    )
    await h.forRequest(req())
    clock += 365 * 24 * 3600_000
    expect((await h.forRequest(req())).find(([n]) => n === 'X-Extra')).toEqual(['X-Extra', 'v1'])
    expect(kubo.posts).toBe(1)
  })

  it('concurrent requests share one extraction', async () => {
    const h = createKuboHeaders({ kuboUrl: kubo.url, extract_headers_extra: [], extract_headers_path: '/api/v0/version', extract_headers_ttl: 60_000 }, { now })
    await Promise.all(Array.from({ length: 10 }, () => h.forRequest(req())))
    expect(kubo.posts).toBe(1)
  })

  it('keeps the last headers when Kubo is down and retries later', async () => {
    const h = createKuboHeaders(
      { kuboUrl: kubo.url, extract_headers_extra: ['X-Extra'], extract_headers_path: '/api/v0/version', extract_headers_ttl: 1_000 },
      { now },
    )
    await h.forRequest(req())
    kubo.down = true
    clock += 2_000
    expect((await h.forRequest(req())).find(([n]) => n === 'X-Extra')).toEqual(['X-Extra', 'v1'])
    kubo.down = false
    clock += RETRY_AFTER_FAILURE_MS - 1
    expect((await h.forRequest(req())).find(([n]) => n === 'X-Extra')).toEqual(['X-Extra', 'v1'])
    expect(kubo.posts).toBe(1)
    clock += 2
    expect((await h.forRequest(req())).find(([n]) => n === 'X-Extra')).toEqual(['X-Extra', 'v2'])
  })

  it("asks Kubo's CORS answer for the request's path, origin and method, and copies only upstream's CORS headers", async () => {
    const h = createKuboHeaders({ kuboUrl: kubo.url, extract_headers_extra: [], extract_headers_path: '/api/v0/version', extract_headers_ttl: 60_000 }, { now })
    const got = await h.forRequest(req(ORIGIN))
    expect(kubo.preflights).toHaveLength(1)
    expect(kubo.preflights[0]?.origin).toBe(ORIGIN)
    expect(kubo.preflights[0]?.['access-control-request-method']).toBe('POST')
    expect(got.filter(([n]) => n.startsWith('Access-Control-Allow') || n === 'Vary')).toEqual([
      ['Access-Control-Allow-Origin', ORIGIN],
      ['Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'],
      ['Access-Control-Allow-Credentials', 'true'],
    ])
    const other = await h.forRequest(req('https://other.test'))
    expect(other.find(([n]) => n === 'Access-Control-Allow-Origin')).toBeUndefined()
    await h.forRequest(req())
    expect(kubo.preflights).toHaveLength(2) // no Origin, no preflight
  })
})

/** FakeCluster with path resolution and switchable failures. */
class ProxyCluster extends FakeCluster {
  refusePins = false
  listFailAfter?: number
  gcErrors = false
  override async resolve(path: string): Promise<string> {
    return path.replace(/^\/ipfs\//, '')
  }
  override async pin(cid: string, options: PinOptions): Promise<Pin> {
    if (this.refusePins) throw new PinmeshError(`not enough peers to allocate CID. Needed at least: 2`)
    return super.pin(cid, options)
  }
  override async *allocations(): AsyncIterable<Pin> {
    let n = 0
    for (const pin of this.pins.values()) {
      if (this.listFailAfter !== undefined && n++ >= this.listFailAfter) throw new PinmeshError('pinset read failed')
      yield pin
    }
  }
  override async repoGc(): Promise<GlobalRepoGC> {
    if (!this.gcErrors) return super.repoGc()
    return {
      peer_map: {
        [SELF]: {
          peer: SELF,
          peername: 'node-a',
          keys: [
            { key: CIDS[1] as string, error: '' },
            { key: CIDS[2] as string, error: 'block in use' },
          ],
        },
      },
    }
  }
}

describe('IPFS proxy responses on the wire', () => {
  const kubo = new KuboLike()
  const cluster = new ProxyCluster()
  let proxy: ReturnType<typeof serve>
  let embedded: ReturnType<typeof serve>
  let url = ''
  let embeddedUrl = ''
  const listen = (s: ReturnType<typeof serve>) =>
    new Promise<string>((resolve) => {
      if (s.listening) resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)
      else s.once('listening', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`))
    })

  beforeAll(async () => {
    await kubo.start()
    const config = { ...IPFSPROXY_DEFAULTS, extract_headers_extra: ['X-Extra'] }
    proxy = serve({ fetch: createIpfsProxy({ cluster, kuboUrl: kubo.url, config }).fetch, hostname: '127.0.0.1', port: 0 })
    url = await listen(proxy)
    const ipfs = {
      id: async () => ({ id: SELF, addresses: [] }),
      blockPut: async () => CIDS[3] as string,
    }
    embedded = serve({ fetch: createIpfsProxy({ cluster, ipfs: ipfs as never }).fetch, hostname: '127.0.0.1', port: 0 })
    embeddedUrl = await listen(embedded)
  })
  afterAll(async () => {
    await new Promise<void>((r) => proxy.close(() => r()))
    await new Promise<void>((r) => embedded.close(() => r()))
    await kubo.stop()
  })
  afterEach(() => {
    cluster.refusePins = false
    cluster.listFailAfter = undefined
    cluster.gcErrors = false
    cluster.pins.clear()
  })

  it("hijacked answers carry Kubo's CORS and extracted headers and ours; errors too", async () => {
    const res = await call(`${url}/api/v0/pin/add?arg=${CIDS[0]}`, { headers: { Origin: ORIGIN } })
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers['access-control-allow-credentials']).toBe('true')
    expect(res.headers.vary).toContain('Origin')
    expect(res.headers['access-control-expose-headers']).toBe('X-Stream-Output, X-Chunked-Output, X-Content-Length')
    expect(res.headers['x-extra']).toMatch(/^v\d+$/)
    expect(res.headers['x-other']).toBeUndefined()
    expect(res.headers['access-control-allow-methods']).toBeUndefined() // preflight-only, not copied (upstream)
    expect(res.headers.server).toMatch(/^ipfs-cluster\/ipfsproxy\//)
    cluster.refusePins = true
    const failed = await call(`${url}/api/v0/pin/add?arg=${CIDS[1]}`, { headers: { Origin: ORIGIN } })
    expect(failed.status).toBe(500)
    expect(failed.headers['access-control-allow-origin']).toBe(ORIGIN)
  })

  it('a pin/ls stream that fails midway ends with the X-Stream-Error trailer', async () => {
    for (const cid of CIDS) await cluster.pin(cid, defaultPinOptions())
    cluster.listFailAfter = 2
    const res = await call(`${url}/api/v0/pin/ls?stream=true`, { headers: { Origin: ORIGIN } })
    expect(res.status).toBe(200)
    expect(res.headers.trailer).toBe('X-Stream-Error')
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.body.trim().split('\n')).toHaveLength(2)
    expect(res.trailers['x-stream-error']).toBe('pinset read failed')
    cluster.listFailAfter = undefined
    const ok = await call(`${url}/api/v0/pin/ls?stream=true`)
    expect(ok.body.trim().split('\n')).toHaveLength(4)
    expect(ok.trailers['x-stream-error'] ?? '').toBe('')
  })

  it('an empty pin/ls stream is 200 with an empty body, as Kubo', async () => {
    const res = await call(`${url}/api/v0/pin/ls?stream=true`)
    expect([res.status, res.body]).toEqual([200, ''])
  })

  it('a failure before the first line is a Kubo error response', async () => {
    await cluster.pin(CIDS[0] as string, defaultPinOptions())
    cluster.listFailAfter = 0
    const res = await call(`${url}/api/v0/pin/ls?stream=true`)
    expect(res.status).toBe(500)
    expect(JSON.parse(res.body)).toEqual({ Message: 'pinset read failed', Code: 0, Type: 'error' })
  })

  it('block/put with pin=true echoes the block and reports a refused pin in the trailer', async () => {
    cluster.refusePins = true
    const boundary = 'xyz'
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b"\r\nContent-Type: application/octet-stream\r\n\r\nblock\r\n--${boundary}--\r\n`
    const res = await call(`${embeddedUrl}/api/v0/block/put?pin=true`, { headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ Key: CIDS[3], Size: 5 })
    expect(res.trailers['x-stream-error']).toBe(`${CIDS[3]}: not enough peers to allocate CID. Needed at least: 2`)
  })

  it('repo/gc puts per-key errors in the trailer unless stream-errors=true', async () => {
    cluster.gcErrors = true
    const res = await call(`${url}/api/v0/repo/gc`)
    expect(res.status).toBe(200)
    expect(
      res.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ Key: { '/': CIDS[1] } }, { Key: { '/': CIDS[2] } }])
    expect(res.trailers['x-stream-error']).toBe('block in use')
    const inline = await call(`${url}/api/v0/repo/gc?stream-errors=true`)
    expect(JSON.parse(inline.body.trim().split('\n')[1] as string)).toEqual({ Key: { '/': CIDS[2] }, Error: 'block in use' })
    expect(inline.trailers['x-stream-error'] ?? '').toBe('')
  })
})
