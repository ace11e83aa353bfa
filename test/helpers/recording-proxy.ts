/**
 * Test fixture: a plain HTTP reverse proxy in front of a real Kubo RPC API that records every
 * request (method, path, query) before passing it on unchanged, so a test can see which Kubo
 * calls a connector made — with Kubo still answering them.
 */
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  path: string
  query: URLSearchParams
}

export interface RecordingProxy {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `/ip4/127.0.0.1/tcp/<port>` */
  multiaddr: string
  requests: RecordedRequest[]
  /** Requests to one RPC command, e.g. `pin/add`. */
  calls(command: string): RecordedRequest[]
  close(): Promise<void>
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target)
    requests.push({ path: url.pathname, query: url.searchParams })
    const upstream = request(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders)
      answer.pipe(res, { end: false })
      answer.on('end', () => {
        res.addTrailers(answer.trailers as Record<string, string>)
        res.end()
      })
    })
    upstream.on('error', (err) => res.destroy(err))
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    multiaddr: `/ip4/127.0.0.1/tcp/${port}`,
    requests,
    calls: (command) => requests.filter((r) => r.path === `/api/v0/${command}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
