/**
 * Kubo-style `multipart/form-data` bodies for `POST /add`: one part per file
 * (`application/octet-stream`) or directory (`application/x-directory`), paths URL-escaped in
 * the `filename`, streamed without buffering the files.
 */
import { randomBytes } from 'node:crypto'

export interface AddEntry {
  /** `/`-separated path inside the upload (`dir/file.txt`). */
  path: string
  /** File content; absent for a directory. */
  content?: Uint8Array | AsyncIterable<Uint8Array>
}

export function multipartBody(
  entries: Iterable<AddEntry> | AsyncIterable<AddEntry>,
  onBytes?: (n: number) => void,
): { contentType: string; body: AsyncIterable<Uint8Array> } {
  const boundary = `pinmesh-${randomBytes(12).toString('hex')}`
  const enc = new TextEncoder()
  async function* body(): AsyncIterable<Uint8Array> {
    for await (const entry of entries as AsyncIterable<AddEntry>) {
      const dir = entry.content === undefined
      yield enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(entry.path)}"\r\nContent-Type: ${dir ? 'application/x-directory' : 'application/octet-stream'}\r\n\r\n`,
      )
      if (entry.content instanceof Uint8Array) {
        onBytes?.(entry.content.byteLength)
        yield entry.content
      } else if (entry.content !== undefined) {
        for await (const chunk of entry.content) {
          onBytes?.(chunk.byteLength)
          yield chunk
        }
      }
      yield enc.encode('\r\n')
    }
    yield enc.encode(`--${boundary}--\r\n`)
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: body() }
}
