/**
 * Streaming reader of Kubo's multipart file encoding (reference §1.11): one part per file or
 * directory, the path URL-escaped in the `filename` of `Content-Disposition`, directories typed
 * `application/x-directory`. Parts are handed out one at a time as they arrive; a file's content
 * is a stream read straight from the request, so an upload of any size is never held in memory.
 * Asking for the next entry drains whatever the consumer left of the previous file.
 */
import { Readable } from 'node:stream'
import type { IpfsAddEntries, IpfsAddEntry } from '@pinmesh/interface'
import { InvalidArgumentError } from '@pinmesh/interface'
import busboy from 'busboy'

/** True for `multipart/form-data` and `multipart/mixed` (what Kubo's clients send). */
export function isMultipart(contentType: string | undefined | null): boolean {
  return contentType !== undefined && contentType !== null && /^multipart\/(form-data|mixed)\s*;/i.test(contentType)
}

/** Decodes and checks a part's path: URL-unescaped, `/`-separated, no `..`, no leading `/`. */
export function partPath(filename: string): string {
  let decoded: string
  try {
    decoded = decodeURIComponent(filename.replace(/\+/g, ' '))
  } catch {
    throw new InvalidArgumentError(`invalid file name ${JSON.stringify(filename)} in multipart body`)
  }
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.some((s) => s === '..')) throw new InvalidArgumentError(`file name ${JSON.stringify(decoded)} must not contain ".."`)
  return segments.join('/')
}

interface Part {
  path: string
  directory: boolean
  stream: Readable
}

/**
 * The request body as a Node stream when served by @hono/node-server (its `incoming` message:
 * no conversion to a web stream and back), else the web body.
 */
export function requestBody(c: { env?: unknown; req: { raw: Request } }): ReadableStream<Uint8Array> | Readable | null {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming
  if (incoming instanceof Readable && !incoming.readableDidRead) return incoming
  return c.req.raw.body
}

/**
 * Reads and discards what is left of the request body, so a client still uploading can finish
 * and read the (error) answer instead of seeing its connection closed.
 */
export function discardRequestBody(c: { env?: unknown; req: { raw: Request } }): void {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming
  if (incoming instanceof Readable) {
    if (!incoming.readableEnded) {
      incoming.unpipe()
      incoming.resume()
    }
    return
  }
  if (c.req.raw.body !== null && !c.req.raw.bodyUsed) c.req.raw.body.cancel().catch(() => {})
}

/**
 * Reads the entries of a multipart upload from a request body, streaming. Parsing starts on the
 * first iteration; until then `multipart.take()` hands out the raw body instead (for a node
 * that parses Kubo's encoding itself).
 */
export function multipartEntries(body: ReadableStream<Uint8Array> | Readable | null, contentType: string, signal?: AbortSignal): IpfsAddEntries {
  if (!isMultipart(contentType)) throw new InvalidArgumentError("request Content-Type isn't multipart/form-data")
  if (body === null) throw new InvalidArgumentError('the request has no body')
  const input = body instanceof Readable ? body : Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)
  let used: 'raw' | 'parsed' | undefined
  return {
    multipart: {
      contentType,
      take() {
        if (used !== undefined) throw new Error('the upload body was already consumed')
        used = 'raw'
        return input
      },
    },
    [Symbol.asyncIterator]() {
      if (used !== undefined) throw new Error('the upload body was already consumed')
      used = 'parsed'
      return parse(input, contentType, signal)[Symbol.asyncIterator]()
    },
  }
}

function parse(input: Readable, contentType: string, signal?: AbortSignal): AsyncIterable<IpfsAddEntry> {
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      preservePath: true,
      highWaterMark: 1 << 20,
      fileHwm: 1 << 20,
      limits: { fieldSize: 64 * 1024, fields: 100 },
    })
  } catch (err) {
    throw new InvalidArgumentError(`invalid multipart request: ${(err as Error).message}`)
  }
  const parts: Part[] = []
  let failure: Error | undefined
  let finished = false
  let wake: (() => void) | undefined
  const notify = () => {
    const w = wake
    wake = undefined
    w?.()
  }

  parser.on('file', (_name, stream, info) => {
    const directory = info.mimeType === 'application/x-directory'
    if (info.mimeType === 'application/symlink') {
      failure ??= new InvalidArgumentError(`symlinks are not supported (${info.filename})`)
      stream.resume()
      notify()
      return
    }
    let path: string
    try {
      path = partPath(info.filename ?? '')
    } catch (err) {
      failure ??= err as Error
      stream.resume()
      notify()
      return
    }
    if (directory) stream.resume()
    parts.push({ path, directory, stream })
    notify()
  })
  parser.on('error', (err: Error) => {
    failure ??= new InvalidArgumentError(`invalid multipart request: ${err.message}`)
    notify()
  })
  parser.on('close', () => {
    finished = true
    notify()
  })
  input.on('error', (err) => {
    failure ??= new InvalidArgumentError(`the upload was interrupted: ${err.message}`)
    parser.destroy()
    notify()
  })
  signal?.addEventListener(
    'abort',
    () => {
      failure ??= new InvalidArgumentError('the upload was aborted')
      input.destroy()
      notify()
    },
    { once: true },
  )
  input.pipe(parser)

  return {
    async *[Symbol.asyncIterator]() {
      let previous: Part | undefined
      try {
        for (;;) {
          if (previous !== undefined && !previous.stream.readableEnded) previous.stream.resume()
          while (parts.length === 0 && failure === undefined && !finished) {
            await new Promise<void>((r) => {
              wake = r
            })
          }
          if (failure !== undefined) throw failure
          const part = parts.shift()
          if (part === undefined) return
          previous = part
          if (part.directory) yield { path: part.path }
          else yield { path: part.path, content: part.stream as AsyncIterable<Uint8Array> }
        }
      } finally {
        if (!finished) {
          // Stopped early (an error, or the consumer gave up): discard the rest of the upload so
          // the client can still read the answer; an aborted request has been destroyed already.
          input.unpipe(parser)
          if (!input.destroyed) input.resume()
        }
      }
    },
  }
}
