/**
 * Reverse proxying to Kubo over `node:http`, streaming both ways with backpressure (Node's
 * `fetch` does not apply backpressure to a streamed request body, so a large upload would pile
 * up in memory). Hop-by-hop headers are dropped; everything else passes unchanged.
 */
import { type IncomingMessage, request } from 'node:http'
import { request as requestHttps } from 'node:https'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { paceYoungGc } from '@pinmesh/interface'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate', 'host'])

/** Forwards `req` to `target` (absolute URL) and returns Kubo's answer as a streaming Response. */
export function forwardRequest(target: string, req: Request, body: ReadableStream<Uint8Array> | Readable | null, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {}
  req.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key)) headers[key] = value
  })
  const send = target.startsWith('https:') ? requestHttps : request
  const input =
    body !== null && req.method !== 'GET' && req.method !== 'HEAD'
      ? body instanceof Readable
        ? body
        : Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>)
      : undefined
  // If Kubo answers without reading the whole upload, discard the rest so the client can finish.
  const drain = () => {
    if (input !== undefined && !input.readableEnded) {
      input.unpipe()
      input.resume()
    }
  }
  return new Promise<Response>((resolve, reject) => {
    const out = send(target, { method: req.method, headers, ...(signal ? { signal } : {}) }, (res: IncomingMessage) => {
      const h = new Headers()
      for (const [key, value] of Object.entries(res.headers)) {
        if (value === undefined || HOP_BY_HOP.has(key)) continue
        for (const v of Array.isArray(value) ? value : [value]) h.append(key, v)
      }
      res.once('end', drain)
      // Downloads (`cat`, `get`, `dag/export`) relay Buffers that die at once: collect them young.
      paceYoungGc(res)
      const status = res.statusCode ?? 502
      const body = status === 204 || status === 304 || req.method === 'HEAD' ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>)
      if (body === null) res.resume()
      resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: h }))
    })
    out.once('error', (err) => {
      drain()
      reject(err)
    })
    if (input !== undefined) {
      input.once('error', (err) => out.destroy(err))
      // Uploads through the proxy likewise.
      paceYoungGc(input)
      input.pipe(out)
    } else {
      out.end()
    }
  })
}
