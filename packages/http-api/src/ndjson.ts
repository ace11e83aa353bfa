/**
 * NDJSON streaming responses with upstream's rules (reference §1.5): no items → 204 (or the
 * error as JSON when the producer failed first); otherwise 200 and one JSON object per line.
 * The `X-Stream-Error` trailer is declared; the error text of a failure mid-stream is written to
 * it by the Node adapter (see `serve.ts`) and, for clients that cannot read trailers, logged.
 */
import { stringifyJson } from '@pinmesh/interface'
import type { Context } from 'hono'
import { errorResponse } from './errors.js'

export async function ndjson<T>(c: Context, items: AsyncIterable<T>, encode: (item: T) => unknown): Promise<Response> {
  const iterator = items[Symbol.asyncIterator]()
  let first: IteratorResult<T>
  try {
    first = await iterator.next()
  } catch (err) {
    return errorResponse(c, err)
  }
  if (first.done === true) return c.body(null, 204)
  const encoder = new TextEncoder()
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(`${stringifyJson(encode(first.value as T))}\n`))
    },
    async pull(controller) {
      try {
        const next = await iterator.next()
        if (next.done === true) {
          controller.close()
          return
        }
        controller.enqueue(encoder.encode(`${stringifyJson(encode(next.value))}\n`))
      } catch (err) {
        controller.error(err)
      }
    },
    async cancel() {
      await iterator.return?.()
    },
  })
  return new Response(stream, { status: 200, headers: { 'Content-Type': 'application/json', Trailer: 'X-Stream-Error' } })
}
