/**
 * The IPFS Pinning Services API on top of cluster pins (reference §4), on 127.0.0.1:9097 by
 * default. The request id is the CID. Errors are `{"error":{"reason":...}}`. Auth is the same
 * as the REST API: Basic, or `Authorization: Bearer <JWT from POST /token>`.
 */
import type { ClusterApi, GlobalPinInfo, Pin } from '@pinmesh/interface'
import { defaultPinOptions, isRfc3339, parseCid, parseStatusFilter, TRACKER_STATUS_BITS, TRACKER_STATUS_COMPOSITES, timeToMillis } from '@pinmesh/interface'
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import { issueToken } from './auth.js'
import { installPipeline, readJsonBody, sendJson } from './common.js'
import { type PinSvcApiConfig, parsePinSvcApiConfig } from './config.js'
import { errorMessage, errorStatus, HttpError } from './errors.js'
import { parallelCompletion } from './streams.js'

export type PinSvcStatus = 'queued' | 'pinning' | 'pinned' | 'failed'

export interface PinSvcPin {
  cid: string
  name?: string
  origins?: string[]
  meta?: Record<string, string>
}

export interface PinSvcStatusObject {
  requestid: string
  status: PinSvcStatus
  created: string
  pin: PinSvcPin
  delegates: string[]
  info: Record<string, string>
}

const INFO = { source: 'IPFS cluster API', warning1: 'CID used for requestID. Conflicts possible', warning2: 'experimental' }
const STATUSES: PinSvcStatus[] = ['queued', 'pinning', 'pinned', 'failed']

function pinSvcError(c: Context, code: number, reason: string): Response {
  return c.json({ error: { reason } }, code as 400)
}

/** Maps the OR of every peer's status to a Pinning Services status (`undefined` = not found). */
export function pinSvcStatus(g: GlobalPinInfo): PinSvcStatus | undefined {
  let bits = 0
  for (const s of Object.values(g.peer_map)) bits |= TRACKER_STATUS_BITS[s.status]
  if (bits & TRACKER_STATUS_COMPOSITES.error) return 'failed'
  if (bits & TRACKER_STATUS_BITS.pin_queued) return 'queued'
  if (bits & TRACKER_STATUS_BITS.pinning) return 'pinning'
  if (bits & TRACKER_STATUS_BITS.pinned) return 'pinned'
  return undefined
}

function svcPin(cid: string, name: string, origins: string[], meta: Record<string, string> | null): PinSvcPin {
  return {
    cid,
    ...(name !== '' ? { name } : {}),
    ...(origins.length > 0 ? { origins } : {}),
    ...(meta !== null && Object.keys(meta).length > 0 ? { meta } : {}),
  }
}

function fromGlobal(g: GlobalPinInfo, status: PinSvcStatus): PinSvcStatusObject {
  const delegates = new Set<string>()
  for (const s of Object.values(g.peer_map)) for (const a of s.ipfs_peer_addresses ?? []) delegates.add(a)
  return { requestid: g.cid, status, created: g.created, pin: svcPin(g.cid, g.name, g.origins, g.metadata), delegates: [...delegates], info: { ...INFO } }
}

function decodeSvcPin(body: unknown): PinSvcPin {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'error decoding request body: expected a JSON object')
  const b = body as Record<string, unknown>
  if (typeof b.cid !== 'string') throw new HttpError(400, 'error decoding request body: cid must be a string')
  parseCid(b.cid)
  if (b.name !== undefined && typeof b.name !== 'string') throw new HttpError(400, 'error decoding request body: name must be a string')
  if (typeof b.name === 'string' && b.name.length > 255) throw new HttpError(400, 'error decoding request body: pin name is over 255 chars')
  if (b.origins !== undefined && (!Array.isArray(b.origins) || b.origins.some((o) => typeof o !== 'string' || !/\/p2p\/[^/]+/.test(o))))
    throw new HttpError(400, 'error decoding request body: origins must be multiaddresses with /p2p/<peer id>')
  if (b.meta !== undefined && (typeof b.meta !== 'object' || b.meta === null || Object.values(b.meta).some((v) => typeof v !== 'string')))
    throw new HttpError(400, 'error decoding request body: meta must be an object of strings')
  return { cid: b.cid, name: b.name as string | undefined, origins: b.origins as string[] | undefined, meta: b.meta as Record<string, string> | undefined }
}

export interface PinSvcApiInit {
  cluster: ClusterApi
  config?: PinSvcApiConfig
  logger?: Logger
}

/** Builds the Pinning Services API app. */
export function createPinSvcApi(init: PinSvcApiInit): Hono {
  const { cluster } = init
  const config = init.config ?? parsePinSvcApiConfig(undefined)
  const app = new Hono()
  app.onError((err, c) => pinSvcError(c, errorStatus(err), errorMessage(err)))
  installPipeline(app, { api: 'pinsvc', config, errorBody: pinSvcError, ...(init.logger !== undefined ? { logger: init.logger } : {}) })

  const pinned = async (c: Context, pin: Pin): Promise<Response> => {
    const delegates = new Set<string>()
    try {
      const g = await cluster.status(pin.cid, { signal: c.req.raw.signal })
      for (const [peer, s] of Object.entries(g.peer_map)) {
        if (pin.allocations.length === 0 || pin.allocations.includes(peer)) for (const a of s.ipfs_peer_addresses ?? []) delegates.add(a)
      }
    } catch {
      // delegates are best effort
    }
    const status: PinSvcStatusObject = {
      requestid: pin.cid,
      status: 'queued',
      created: pin.timestamp,
      pin: svcPin(pin.cid, pin.name, pin.origins, pin.metadata),
      delegates: [...delegates],
      info: { ...INFO },
    }
    return sendJson(c, status)
  }

  const pinFromBody = async (c: Context, update: string | null): Promise<Pin> => {
    const body = decodeSvcPin(await readJsonBody(c, config.max_body_bytes))
    const options = defaultPinOptions()
    options.name = body.name ?? ''
    options.origins = body.origins ?? []
    options.metadata = body.meta ?? {}
    options.pin_update = update
    return cluster.pin(body.cid, options, c.req.raw.signal)
  }

  app.get('/pins', async (c) => {
    const q = c.req.query()
    const limit = q.limit === undefined ? 10 : Number(q.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new HttpError(400, `limit must be an integer between 1 and 1000, got ${JSON.stringify(q.limit)}`)
    const wanted = (q.status ?? '').split(',').filter((s) => s !== '')
    for (const s of wanted)
      if (!STATUSES.includes(s as PinSvcStatus)) throw new HttpError(400, `status: unknown value ${JSON.stringify(s)} (queued, pinning, pinned, failed)`)
    const name = q.name
    if (name !== undefined && name.length > 255) throw new HttpError(400, 'name is over 255 chars')
    const match = q.match ?? 'exact'
    if (!['exact', 'iexact', 'partial', 'ipartial'].includes(match)) throw new HttpError(400, `match: unknown value ${JSON.stringify(match)}`)
    for (const key of ['before', 'after'] as const)
      if (q[key] !== undefined && !isRfc3339(q[key])) throw new HttpError(400, `${key}: not an RFC 3339 time: ${JSON.stringify(q[key])}`)
    let meta: Record<string, string> = {}
    if (q.meta !== undefined) {
      try {
        meta = JSON.parse(q.meta) as Record<string, string>
        if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new Error('not an object')
      } catch (err) {
        throw new HttpError(400, `meta: expected a JSON object of strings: ${(err as Error).message}`)
      }
    }
    const nameMatches = (n: string) => {
      if (name === undefined || name === '') return true
      if (match === 'exact') return n === name
      if (match === 'iexact') return n.toLowerCase() === name.toLowerCase()
      if (match === 'partial') return n.includes(name)
      return n.toLowerCase().includes(name.toLowerCase())
    }
    const results: PinSvcStatusObject[] = []
    let count = 0
    const consider = (g: GlobalPinInfo, filtersApply: boolean) => {
      const status = pinSvcStatus(g)
      if (status === undefined) return
      if (wanted.length > 0 && !wanted.includes(status)) return
      if (filtersApply) {
        if (!nameMatches(g.name)) return
        const created = timeToMillis(g.created)
        if (q.before !== undefined && !(created < timeToMillis(q.before))) return
        if (q.after !== undefined && !(created > timeToMillis(q.after))) return
        for (const [k, v] of Object.entries(meta)) if (g.metadata?.[k] !== v) return
      }
      count++
      if (results.length < limit) results.push(fromGlobal(g, status))
    }
    if (q.cid !== undefined && q.cid !== '') {
      const cids = q.cid.split(',')
      for (const cid of cids) parseCid(cid)
      for await (const g of parallelCompletion(cids, 16, (cid) => cluster.status(cid, { signal: c.req.raw.signal }))) consider(g, false)
    } else {
      const map: Record<PinSvcStatus, string> = { failed: 'error', queued: 'pin_queued', pinned: 'pinned', pinning: 'pinning' }
      const filter = wanted.length > 0 ? parseStatusFilter(wanted.map((w) => map[w as PinSvcStatus]).join(',')) : 0
      for await (const g of cluster.statusAll(filter, { signal: c.req.raw.signal })) consider(g, true)
    }
    return sendJson(c, { count, results })
  })
  app.post('/pins', async (c) => pinned(c, await pinFromBody(c, null)))
  app.get('/pins/:requestid', async (c) => {
    const cid = c.req.param('requestid')
    parseCid(cid)
    const g = await cluster.status(cid, { signal: c.req.raw.signal })
    const status = pinSvcStatus(g)
    if (status === undefined) return pinSvcError(c, 404, 'pin not found')
    return sendJson(c, fromGlobal(g, status))
  })
  app.post('/pins/:requestid', async (c) => {
    const from = c.req.param('requestid')
    parseCid(from)
    const pin = await pinFromBody(c, from)
    if (pin.cid !== from) await cluster.unpin(from, { signal: c.req.raw.signal })
    return pinned(c, pin)
  })
  app.delete('/pins/:requestid', async (c) => {
    const cid = c.req.param('requestid')
    parseCid(cid)
    await cluster.unpin(cid, { signal: c.req.raw.signal })
    return c.body(null, 202)
  })
  app.post('/token', (c) => issueToken(c, config.basic_auth_credentials, pinSvcError))
  app.get('/health', (c) => c.body(null, 204))
  return app
}
