/**
 * NDJSON streaming responses with upstream's rules (reference §1.5): no items → 204 (or the
 * error as JSON when the producer failed before the first item); otherwise 200, one JSON object
 * per line, and the `X-Stream-Error` trailer always sent at the end — empty on success, the
 * error text on failure.
 *
 * Web `Response` objects cannot carry trailers, so when the app is served by
 * `@hono/node-server` the stream is written straight to Node's `ServerResponse` (`c.env.outgoing`)
 * with `res.addTrailers()`. Under `app.request()` (unit tests) a plain streamed body is returned
 * and a failure mid-stream aborts the body.
 */
import type { ServerResponse } from 'node:http'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { drainOrClose, stringifyJson } from '@pinmesh/interface'
import type { Context } from 'hono'
import { extraHeaders } from './common.js'
import { errorMessage, errorResponse } from './errors.js'

const FLUSH_BYTES = 32 * 1024
const FLUSH_MS = 20

function nodeResponse(c: Context): ServerResponse | undefined {
  const env = c.env as { outgoing?: ServerResponse } | undefined
  const out = env?.outgoing
  return out !== undefined && typeof out.addTrailers === 'function' ? out : undefined
}

export interface NdjsonOptions {
  /** Extra response headers (e.g. `X-Chunked-Output: 1` for `/add`). */
  headers?: Record<string, string>
  /** Status when there are no items: 204 (the REST API's rule, the default) or 200 with an empty body (Kubo's). */
  emptyStatus?: 200 | 204
  /** Builds the response for a failure before the first item (default: the REST API's error JSON). */
  onError?: (c: Context, err: unknown) => Response
}

/** Streams `items` as NDJSON, encoding each with `encode`. */
export async function ndjson<T>(c: Context, items: AsyncIterable<T>, encode: (item: T) => unknown, options: NdjsonOptions = {}): Promise<Response> {
  const iterator = items[Symbol.asyncIterator]()
  let first: IteratorResult<T>
  try {
    first = await iterator.next()
  } catch (err) {
    return (options.onError ?? errorResponse)(c, err)
  }
  if (first.done === true) {
    if (options.emptyStatus === 200) return c.body('', 200, { ...options.headers, 'Content-Type': 'application/json' })
    return c.body(null, 204)
  }
  const out = nodeResponse(c)
  if (out !== undefined) {
    await writeToNode(c, out, first.value, iterator, encode, options.headers ?? {})
    return RESPONSE_ALREADY_SENT
  }
  return webStream(first.value, iterator, encode, options.headers ?? {})
}

async function writeToNode<T>(
  c: Context,
  out: ServerResponse,
  first: T,
  iterator: AsyncIterator<T>,
  encode: (item: T) => unknown,
  extra: Record<string, string>,
): Promise<void> {
  const headers: Record<string, string | string[]> = { ...extra }
  for (const [name, value] of extraHeaders(c)) {
    const prev = headers[name]
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value]
  }
  headers['Content-Type'] = 'application/json'
  headers.Trailer = 'X-Stream-Error'
  out.writeHead(200, headers)
  let closed = false
  const onClose = () => {
    closed = true
  }
  out.once('close', onClose)
  let buffer = `${stringifyJson(encode(first))}\n`
  let timer: NodeJS.Timeout | undefined
  const flush = async () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (buffer === '' || closed) return
    const chunk = buffer
    buffer = ''
    if (!out.write(chunk)) await drainOrClose(out)
  }
  let error = ''
  try {
    for (;;) {
      if (closed) break
      const next = await iterator.next()
      if (next.done === true) break
      buffer += `${stringifyJson(encode(next.value))}\n`
      if (buffer.length >= FLUSH_BYTES) await flush()
      else timer ??= setTimeout(() => void flush(), FLUSH_MS)
    }
  } catch (err) {
    error = errorMessage(err).replace(/[\r\n]+/g, ' ')
  } finally {
    if (closed) await iterator.return?.().catch(() => {})
  }
  await flush()
  out.off('close', onClose)
  if (closed) return
  out.addTrailers({ 'X-Stream-Error': error })
  out.end()
}

function webStream<T>(first: T, iterator: AsyncIterator<T>, encode: (item: T) => unknown, extra: Record<string, string>): Response {
  const encoder = new TextEncoder()
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${stringifyJson(encode(first))}\n`))
    },
    async pull(controller) {
      try {
        const next = await iterator.next()
        if (next.done === true) controller.close()
        else controller.enqueue(encoder.encode(`${stringifyJson(encode(next.value))}\n`))
      } catch (err) {
        controller.error(err)
      }
    },
    async cancel() {
      await iterator.return?.()
    },
  })
  return new Response(stream, { status: 200, headers: { ...extra, 'Content-Type': 'application/json', Trailer: 'X-Stream-Error' } })
}
