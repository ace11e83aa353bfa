/**
 * `POST /add` (reference §1.11): a multipart upload of files and directories (or one CAR file
 * with `format=car`) goes into the local IPFS node as it streams in, then the root is pinned
 * through the cluster. The response streams one `AddedOutput` per line (`stream-channels=true`,
 * the default) or buffers a JSON array (`stream-channels=false`). The IPFS proxy's `add` shares
 * the parsing and streaming with Kubo-style output objects.
 */
import type { AddedOutput, ClusterAddOptions, ClusterApi } from '@pinmesh/interface'
import { encodeAddedOutput, InvalidArgumentError, NotImplementedError, parsePinOptionsQuery, stringifyJson } from '@pinmesh/interface'
import type { Context, Hono } from 'hono'
import { errorResponse } from './errors.js'
import { discardRequestBody, multipartEntries, requestBody } from './multipart.js'
import { ndjson } from './ndjson.js'

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/** Go's `strconv.ParseBool` for a query parameter; absent or empty → `undefined`. */
export function queryBool(params: URLSearchParams, name: string): boolean | undefined {
  const v = params.get(name)
  if (v === null || v === '') return undefined
  if (TRUE.has(v)) return true
  if (FALSE.has(v)) return false
  throw new InvalidArgumentError(`parameter ${name} invalid`)
}

/** Parses the add parameters (reference §1.11 table) and the pin options (§1.7). */
export function parseAddQuery(params: URLSearchParams): ClusterAddOptions & { streamChannels: boolean } {
  const pin = parsePinOptionsQuery(params)
  pin.pin_update = null
  if (queryBool(params, 'shard') === true) throw new NotImplementedError('sharded adds (shard=true) are not supported by pinmesh')
  if (queryBool(params, 'nocopy') === true) throw new NotImplementedError('nocopy (filestore) adds are not supported by pinmesh')
  const format = params.get('format') || 'unixfs'
  if (format !== 'unixfs' && format !== 'car') throw new InvalidArgumentError('format parameter is invalid')
  const layout = params.get('layout') ?? ''
  if (layout !== '' && layout !== 'balanced' && layout !== 'trickle') throw new InvalidArgumentError('layout parameter is invalid')
  const cidVersionText = params.get('cid-version')
  let cidVersion: 0 | 1 = 0
  if (cidVersionText !== null && cidVersionText !== '') {
    if (cidVersionText !== '0' && cidVersionText !== '1') throw new InvalidArgumentError('parameter cid-version invalid')
    cidVersion = Number(cidVersionText) as 0 | 1
  }
  const rawLeaves = queryBool(params, 'raw-leaves')
  const hash = params.get('hash') || 'sha2-256'
  const chunker = params.get('chunker') || undefined
  return {
    ...pin,
    format,
    cidVersion,
    ...(rawLeaves !== undefined ? { rawLeaves } : {}),
    ...(chunker !== undefined ? { chunker } : {}),
    hashAlg: hash,
    layout: layout === 'trickle' ? 'trickle' : 'balanced',
    wrapWithDirectory: queryBool(params, 'wrap-with-directory') ?? false,
    hidden: queryBool(params, 'hidden') ?? false,
    local: queryBool(params, 'local') ?? false,
    noPin: queryBool(params, 'no-pin') ?? false,
    progress: queryBool(params, 'progress') ?? false,
    streamChannels: queryBool(params, 'stream-channels') ?? true,
  }
}

/**
 * Runs an add and answers it: NDJSON streamed as outputs are produced, or a buffered array.
 * Errors before the first output become an error response; later ones end the stream.
 */
export async function addResponse(
  c: Context,
  cluster: ClusterApi,
  options: ClusterAddOptions & { streamChannels: boolean },
  encode: (o: AddedOutput) => unknown,
  onErrorResponse: (c: Context, err: unknown) => Response = errorResponse,
): Promise<Response> {
  const onError = (c: Context, err: unknown) => {
    discardRequestBody(c)
    return onErrorResponse(c, err)
  }
  if (cluster.add === undefined) return onError(c, new NotImplementedError('this peer cannot add content'))
  const { streamChannels, ...addOptions } = options
  const entries = multipartEntries(requestBody(c), c.req.header('content-type') ?? '', c.req.raw.signal)
  const outputs = cluster.add(entries, { ...addOptions, signal: c.req.raw.signal })
  const iterator = outputs[Symbol.asyncIterator]()
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }
  if (!streamChannels) {
    const all: unknown[] = []
    try {
      for (let n = await iterator.next(); n.done !== true; n = await iterator.next()) all.push(encode(n.value))
    } catch (err) {
      return onError(c, err)
    }
    return new Response(stringifyJson(all), { status: 200, headers })
  }
  let first: IteratorResult<AddedOutput>
  try {
    first = await iterator.next()
  } catch (err) {
    return onError(c, err)
  }
  if (first.done === true) return new Response('', { status: 200, headers: { ...headers, 'X-Chunked-Output': '1' } })
  const head = first.value
  async function* all(): AsyncGenerator<AddedOutput> {
    yield head
    for (let n = await iterator.next(); n.done !== true; n = await iterator.next()) yield n.value
  }
  // Streamed like every NDJSON route: an error after the first line is written to the
  // `X-Stream-Error` trailer, so a failed add never looks successful on the wire.
  return ndjson(c, all(), encode, { headers: { 'Cache-Control': 'no-cache', 'X-Chunked-Output': '1' } })
}

/** Registers `POST /add` on the REST API app. */
export function registerAddRoute(app: Hono, init: { cluster: ClusterApi }): void {
  app.post('/add', async (c) => {
    try {
      const options = parseAddQuery(new URL(c.req.url).searchParams)
      return await addResponse(c, init.cluster, options, encodeAddedOutput)
    } catch (err) {
      discardRequestBody(c)
      throw err
    }
  })
}
