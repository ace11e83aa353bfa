/**
 * Streams on a real socket: `serveApi` (node-server) writes the `X-Stream-Error` trailer —
 * empty on success, the error text when the producer fails mid-stream — read with node:http.
 */
import { request } from 'node:http'
import type { AddedOutput } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRestApiConfig } from '../src/config.js'
import { createRestApi } from '../src/rest.js'
import { type ServedApi, serveApi } from '../src/serve.js'
import { CIDS, FakeCluster } from './fake-cluster.js'

interface Wire {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  trailers: Record<string, string | undefined>
  rawTrailers: string[]
}

function get(url: string): Promise<Wire> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        body += d
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, trailers: res.trailers, rawTrailers: res.rawTrailers }))
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

describe('NDJSON streams on the wire', () => {
  const cluster = new FakeCluster()
  let api: ServedApi
  beforeAll(async () => {
    for (const cid of CIDS) await cluster.pin(cid, { ...(await import('@pinmesh/interface')).defaultPinOptions() })
    const config = parseRestApiConfig({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/0' })
    api = await serveApi(createRestApi({ cluster, config }), config, { path: 'api.restapi' })
  })
  afterAll(async () => api.close())

  it('sends an empty X-Stream-Error trailer after a complete stream', async () => {
    cluster.failAfter = undefined
    const res = await get(`${api.urls[0]}/pins`)
    expect(res.status).toBe(200)
    expect(res.headers.trailer).toBe('X-Stream-Error')
    expect(res.headers['transfer-encoding']).toBe('chunked')
    expect(res.body.trim().split('\n')).toHaveLength(CIDS.length)
    expect(res.rawTrailers).toEqual(['X-Stream-Error', ''])
  })

  it('reports a failure mid-stream in the trailer after the items sent so far', async () => {
    cluster.failAfter = 2
    const res = await get(`${api.urls[0]}/pins`)
    expect(res.status).toBe(200)
    expect(res.body.trim().split('\n')).toHaveLength(2)
    expect(res.trailers['x-stream-error']).toBe('tracker exploded')
  })

  it('answers 500 {code,message} when the stream fails before its first item', async () => {
    cluster.failAfter = 0
    const res = await get(`${api.urls[0]}/pins`)
    expect(res.status).toBe(500)
    expect(JSON.parse(res.body)).toEqual({ code: 500, message: 'tracker exploded' })
    cluster.failAfter = undefined
  })

  it('reports per-CID failures of ?cids= in the trailer', async () => {
    const unknown = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const res = await get(`${api.urls[0]}/pins?cids=${CIDS[0]},${unknown}`)
    expect(res.status).toBe(200)
    expect(res.body.trim().split('\n')).toHaveLength(1)
    expect(res.trailers['x-stream-error']).toBe(`no status for ${unknown}`)
  })
})

describe('access log', () => {
  it('appends common-log lines to http_log_file', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const file = join(await mkdtemp(join(tmpdir(), 'pinmesh-accesslog-')), 'access.log')
    const config = parseRestApiConfig({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/0', http_log_file: file })
    const served = await serveApi(createRestApi({ cluster: new FakeCluster(), config }), config, { path: 'api.restapi' })
    try {
      await get(`${served.urls[0]}/version?x=1`)
      await get(`${served.urls[0]}/nope`)
    } finally {
      await served.close()
    }
    const text = await readFile(file, 'utf8')
    expect(text).toMatch(/^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/version\?x=1 HTTP\/1\.1" 200 (\d+|-)\n/)
    expect(text).toContain('"GET /nope HTTP/1.1" 404')
  })
})

describe('unix socket listener', () => {
  it('serves the API on /unix/<path>', async () => {
    const { mkdtemp } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(join(tmpdir(), 'pinmesh-unix-'))
    const config = parseRestApiConfig({ http_listen_multiaddress: ['/unix/api.sock'] })
    const served = await serveApi(createRestApi({ cluster: new FakeCluster(), config }), config, { path: 'api.restapi', baseDir: dir })
    try {
      expect(served.urls).toEqual([`unix:${join(dir, 'api.sock')}`])
      const body = await new Promise<string>((resolve, reject) => {
        request({ socketPath: join(dir, 'api.sock'), path: '/version' }, (res) => {
          let text = ''
          res.on('data', (d: Buffer) => {
            text += d.toString()
          })
          res.on('end', () => resolve(text))
        })
          .on('error', reject)
          .end()
      })
      expect(JSON.parse(body)).toEqual({ version: '1.1.6' })
    } finally {
      await served.close()
    }
  })
})

describe('ndjson options', () => {
  it('adds extra headers and still sends the trailer', async () => {
    const { Hono } = await import('hono')
    const { ndjson } = await import('../src/ndjson.js')
    const app = new Hono()
    app.get('/s', (c) =>
      ndjson(
        c,
        (async function* () {
          yield { a: 1 }
        })(),
        (x) => x,
        { headers: { 'X-Chunked-Output': '1' } },
      ),
    )
    const served = await serveApi(app, parseRestApiConfig({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/0' }), { path: 'test' })
    try {
      const res = await get(`${served.urls[0]}/s`)
      expect(res.headers['x-chunked-output']).toBe('1')
      expect(res.body).toBe('{"a":1}\n')
      expect(res.rawTrailers).toEqual(['X-Stream-Error', ''])
    } finally {
      await served.close()
    }
  })
})

describe('server timeouts', () => {
  it('accepts a read_timeout shorter than read_header_timeout', async () => {
    const config = parseRestApiConfig({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/0', read_timeout: '1s', read_header_timeout: '5s' })
    const served = await serveApi(createRestApi({ cluster: new FakeCluster(), config }), config, { path: 'api.restapi' })
    try {
      expect((await get(`${served.urls[0]}/health`)).status).toBe(204)
    } finally {
      await served.close()
    }
  })
})

describe('POST /add on the wire', () => {
  it('reports a failure after the first output in the X-Stream-Error trailer', async () => {
    const cluster = Object.assign(new FakeCluster(), {
      async *add(): AsyncIterable<AddedOutput> {
        yield { name: 'a.txt', cid: CIDS[0] as string, size: 1 }
        throw new Error('the IPFS node went away')
      },
    })
    const config = parseRestApiConfig({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/0' })
    const served = await serveApi(createRestApi({ cluster, config }), config, { path: 'api.restapi' })
    try {
      const boundary = 'pinmeshboundary'
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: application/octet-stream\r\n\r\na\r\n--${boundary}--\r\n`
      const res = await new Promise<Wire>((resolve, reject) => {
        const req = request(`${served.urls[0]}/add`, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } }, (r) => {
          let text = ''
          r.setEncoding('utf8')
          r.on('data', (d: string) => {
            text += d
          })
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: text, trailers: r.trailers, rawTrailers: r.rawTrailers }))
          r.on('error', reject)
        })
        req.on('error', reject)
        req.end(body)
      })
      expect(res.status).toBe(200)
      expect(res.headers['x-chunked-output']).toBe('1')
      expect(res.body.trim().split('\n')).toHaveLength(1)
      expect(res.trailers['x-stream-error']).toBe('the IPFS node went away')
    } finally {
      await served.close()
    }
  })
})
