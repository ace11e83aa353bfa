/**
 * HTTP transport of the client over `node:http`/`node:https` rather than `fetch`: the REST API
 * reports failures of a stream in the `X-Stream-Error` HTTP trailer, and only Node's
 * `IncomingMessage` exposes trailers. Every call takes an AbortSignal.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'

export interface RawRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body?: Uint8Array | string | AsyncIterable<Uint8Array>
  signal?: AbortSignal
  rejectUnauthorized?: boolean
}

/** Sends a request and resolves with the response head; the body is the returned stream. */
export function send(req: RawRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = req.url.protocol === 'https:' ? httpsRequest : httpRequest
    const r = request(req.url, {
      method: req.method,
      headers: req.headers,
      signal: req.signal,
      ...(req.url.protocol === 'https:' ? { rejectUnauthorized: req.rejectUnauthorized ?? true } : {}),
    })
    r.once('response', resolve)
    r.once('error', reject)
    const body = req.body
    if (body === undefined) r.end()
    else if (typeof body === 'string' || body instanceof Uint8Array) r.end(body)
    else {
      const source = Readable.from(body)
      source.once('error', (err) => r.destroy(err))
      source.pipe(r)
    }
  })
}

/** Reads a whole response body as text. */
export async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Yields the lines of a response body, as they arrive. */
export async function* readLines(res: IncomingMessage): AsyncIterable<string> {
  let rest = ''
  res.setEncoding('utf8')
  for await (const chunk of res) {
    rest += chunk as string
    let i = rest.indexOf('\n')
    while (i >= 0) {
      const line = rest.slice(0, i)
      rest = rest.slice(i + 1)
      if (line.trim() !== '') yield line
      i = rest.indexOf('\n')
    }
  }
  if (rest.trim() !== '') yield rest
}

/** Transport-level failures that justify trying the next peer address. */
export function isConnectError(err: unknown): boolean {
  const code = (err as { code?: string }).code
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE'
  )
}
