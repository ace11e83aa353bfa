/**
 * Bulk pinning, a pinmesh extension: `POST /pins` with an NDJSON body, one pin per line
 * (`{"cid": "...", ...pin options in Pin field names}`), answered with one NDJSON line per input
 * line in the same order: the Pin as stored, or `{"line", "cid", "code", "message"}` for a line
 * that failed. Pins are submitted with bounded concurrency so the pinset can batch commits.
 */
import type { ClusterApi, Pin, PinOptions } from '@pinmesh/interface'
import { decodePinOptions, encodePin, parseCid, parseJson } from '@pinmesh/interface'
import { errorMessage, errorStatus, HttpError } from './errors.js'
import { lines, orderedParallel } from './streams.js'

export interface BulkPinError {
  line: number
  cid: string | null
  code: number
  message: string
}

export type BulkPinResult = { ok: true; pin: Pin } | { ok: false; error: BulkPinError }

export interface BulkPinOptions {
  maxBodyBytes: number
  maxLineBytes: number
  concurrency: number
  signal?: AbortSignal
}

interface BulkLine {
  line: number
  cid: string | null
  options?: PinOptions
  error?: unknown
}

function decodeLine(text: string, line: number): BulkLine {
  let value: unknown
  try {
    value = parseJson(text)
  } catch (err) {
    return { line, cid: null, error: new HttpError(400, `line ${line}: error decoding JSON: ${errorMessage(err)}`) }
  }
  const cid = typeof value === 'object' && value !== null && typeof (value as { cid?: unknown }).cid === 'string' ? (value as { cid: string }).cid : null
  try {
    if (cid === null) throw new HttpError(400, `line ${line}: cid: is required (a CID string)`)
    parseCid(cid)
    const options = decodePinOptions(value, `line ${line}`)
    options.metadata ??= {}
    return { line, cid, options }
  } catch (err) {
    return { line, cid, error: err }
  }
}

async function* parsedLines(body: AsyncIterable<Uint8Array>, opts: BulkPinOptions): AsyncIterable<BulkLine> {
  let n = 0
  let count = 0
  for await (const text of lines(body, { total: opts.maxBodyBytes, line: opts.maxLineBytes }, (m) => new HttpError(413, m))) {
    n++
    if (text.trim() === '') continue
    count++
    yield decodeLine(text, n)
  }
  if (count === 0) throw new HttpError(400, 'request body has no pins: send one JSON object per line, e.g. {"cid":"bafy..."}')
}

/** Pins every line of `body`; yields one result per non-empty line, in order. */
export function bulkPin(cluster: ClusterApi, body: AsyncIterable<Uint8Array>, opts: BulkPinOptions): AsyncIterable<BulkPinResult> {
  return orderedParallel(parsedLines(body, opts), opts.concurrency, async (l): Promise<BulkPinResult> => {
    const fail = (err: unknown): BulkPinResult => ({ ok: false, error: { line: l.line, cid: l.cid, code: errorStatus(err), message: errorMessage(err) } })
    if (l.error !== undefined || l.options === undefined || l.cid === null) return fail(l.error)
    try {
      return { ok: true, pin: await cluster.pin(l.cid, l.options, opts.signal) }
    } catch (err) {
      return fail(err)
    }
  })
}

export function encodeBulkResult(r: BulkPinResult): unknown {
  return r.ok ? encodePin(r.pin) : r.error
}
