/**
 * Streaming multipart uploads to Kubo (`add`, `dag/import`) over `node:http`. The body is piped,
 * so a slow Kubo slows the upload down instead of letting it pile up in memory — Node's
 * `fetch` (undici) does not apply that backpressure to a streamed request body and held most of
 * a 1 GiB upload in memory, and kubo-rpc-client uploads through it. The answer is read as NDJSON;
 * an error Kubo reports after the status line arrives in the `X-Stream-Error` trailer.
 */
import { type Agent, type IncomingMessage, request } from 'node:http'
import { Readable } from 'node:stream'
import type { IpfsAddEntry } from '@pinmesh/interface'
import { drainOrClose, IpfsError, paceYoungGc, youngGcPacer } from '@pinmesh/interface'
import { kuboErrorMessage, kuboLines } from './kubo-ndjson.js'

const enc = new TextEncoder()

/** Kubo's multipart file encoding: one part per file or directory, URL-escaped paths. */
export async function* multipartBody(entries: AsyncIterable<IpfsAddEntry>, boundary: string): AsyncGenerator<Uint8Array> {
  let i = 0
  for await (const e of entries) {
    const dir = e.content === undefined
    yield enc.encode(
      `${i > 0 ? '\r\n' : ''}--${boundary}\r\nContent-Disposition: form-data; name="${dir ? 'dir' : 'file'}${i > 0 ? `-${i}` : ''}"; filename="${encodeURIComponent(e.path)}"\r\nContent-Type: ${dir ? 'application/x-directory' : 'application/octet-stream'}\r\n\r\n`,
    )
    if (e.content instanceof Uint8Array) yield e.content
    else if (e.content !== undefined) yield* e.content
    i++
  }
  yield enc.encode(`${i > 0 ? '\r\n' : ''}--${boundary}--\r\n`)
}

/** What to upload: entries to encode, or a body already in Kubo's multipart encoding. */
export type UploadBody = { entries: AsyncIterable<IpfsAddEntry> } | { raw: AsyncIterable<Uint8Array>; contentType: string }

/** POSTs the upload to `${url}/api/v0/${command}?${query}` and yields the NDJSON objects of the answer. */
export async function* kuboUpload(
  url: string,
  command: string,
  query: URLSearchParams,
  upload: UploadBody,
  options: { signal?: AbortSignal; agent?: Agent } = {},
): AsyncGenerator<Record<string, unknown>> {
  const boundary = `----pinmesh${Math.random().toString(16).slice(2)}`
  const req = request(`${url}/api/v0/${command}?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'raw' in upload ? upload.contentType : `multipart/form-data; boundary=${boundary}` },
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve)
    req.once('error', reject)
  })
  response.catch(() => {})
  let release: () => void
  // The chunks die as soon as they are written on: collect them young (see youngGcPacer).
  if ('raw' in upload && upload.raw instanceof Readable) {
    // A Node stream (the REST request itself) is piped natively: backpressure without a
    // promise per chunk, which is most of this process's work per byte of a large upload.
    const raw = upload.raw
    const onError = (err: Error) => req.destroy(err)
    raw.once('error', onError)
    const unpace = paceYoungGc(raw)
    raw.pipe(req)
    release = () => {
      raw.off('error', onError)
      unpace()
      raw.unpipe(req)
      if (!raw.readableEnded) raw.destroy()
    }
  } else {
    // Write the body with backpressure: wait for 'drain' whenever the socket buffer is full.
    const chunks: AsyncGenerator<Uint8Array> =
      'raw' in upload
        ? (async function* () {
            yield* upload.raw
          })()
        : multipartBody(upload.entries, boundary)
    const relayed = youngGcPacer()
    const writing = (async () => {
      for await (const chunk of chunks) {
        if (req.destroyed) return
        relayed(chunk.length)
        if (!req.write(chunk)) await drainOrClose(req)
      }
      req.end()
    })()
    writing.catch((err: unknown) => req.destroy(err as Error))
    release = () => void chunks.return(undefined).catch(() => {})
  }
  let res: IncomingMessage
  try {
    res = await response
  } catch (err) {
    release()
    throw err
  }
  try {
    if (res.statusCode !== 200) throw new IpfsError(`ipfs ${command} failed: ${await kuboErrorMessage(res)}`)
    yield* kuboLines<Record<string, unknown>>(res, command)
  } finally {
    release()
    res.destroy()
  }
}
