/**
 * Builds upload bodies in Kubo's multipart file encoding (what `ipfs-cluster-ctl add` and
 * kubo-rpc-client send): one part per file or directory, URL-escaped paths in `filename`,
 * directories typed `application/x-directory`. The body is a stream, so tests can upload
 * content far larger than memory.
 */
export interface UploadEntry {
  path: string
  /** Absent for a directory. */
  content?: Uint8Array | AsyncIterable<Uint8Array> | string
}

export function multipartUpload(entries: UploadEntry[]): { body: ReadableStream<Uint8Array>; contentType: string } {
  const boundary = `----pinmesh${Math.random().toString(16).slice(2)}`
  const enc = new TextEncoder()
  async function* parts(): AsyncGenerator<Uint8Array> {
    let i = 0
    for (const e of entries) {
      const dir = e.content === undefined
      yield enc.encode(
        `${i > 0 ? '\r\n' : ''}--${boundary}\r\nContent-Disposition: form-data; name="${dir ? 'dir' : 'file'}${i > 0 ? `-${i}` : ''}"; filename="${encodeURIComponent(e.path)}"\r\nContent-Type: ${dir ? 'application/x-directory' : 'application/octet-stream'}\r\n\r\n`,
      )
      if (typeof e.content === 'string') yield enc.encode(e.content)
      else if (e.content instanceof Uint8Array) yield e.content
      else if (e.content !== undefined) yield* e.content
      i++
    }
    yield enc.encode(`\r\n--${boundary}--\r\n`)
  }
  const it = parts()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const n = await it.next()
      if (n.done === true) controller.close()
      else controller.enqueue(n.value)
    },
  })
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}

/** POSTs an upload and returns the response. */
export function postUpload(url: string, entries: UploadEntry[], init: RequestInit = {}): Promise<Response> {
  const { body, contentType } = multipartUpload(entries)
  return fetch(url, { ...init, method: 'POST', body, headers: { 'Content-Type': contentType }, duplex: 'half' } as RequestInit)
}

/** Reads an NDJSON response into objects. */
export async function ndjsonLines<T = Record<string, unknown>>(res: Response): Promise<T[]> {
  const text = await res.text()
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T)
}

/** Deterministic pseudo-random bytes (xorshift32), generated in chunks without holding the whole. */
export async function* pseudoRandom(total: number, seed = 1, chunk = 1 << 20): AsyncGenerator<Uint8Array> {
  let x = seed >>> 0 || 1
  for (let done = 0; done < total; ) {
    const n = Math.min(chunk, total - done)
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      out[i] = x & 0xff
    }
    done += n
    yield out
  }
}

export async function collectBytes(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}
