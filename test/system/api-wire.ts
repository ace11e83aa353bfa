/** Raw HTTP for API system tests: node:http, so trailers and exact bytes are visible. */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

export interface WireResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  trailers: Record<string, string | undefined>
  rawTrailers: string[]
}

export function wire(
  method: string,
  url: string,
  init: { body?: string | Buffer; headers?: Record<string, string>; insecure?: boolean } = {},
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request(u, { method, headers: init.headers, ...(u.protocol === 'https:' ? { rejectUnauthorized: !init.insecure } : {}) }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          trailers: res.trailers,
          rawTrailers: res.rawTrailers,
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** Parses an NDJSON body. */
export function lines(body: string): unknown[] {
  return body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown)
}

/** Expects a `{code, message}` error with the status and a message matching `re`. */
export function errorOf(res: WireResponse): { code: number; message: string } {
  const body = JSON.parse(res.body) as { code: number; message: string }
  if (typeof body.code !== 'number' || typeof body.message !== 'string') throw new Error(`not an API error body: ${res.body}`)
  return body
}
