/**
 * The REST API that IPFS Cluster clients understand (reference §1): every route of §1.8 with
 * upstream's shapes, status codes and streaming rules, plus bulk pinning (`POST /pins` with an
 * NDJSON body, see docs/api.md). A Hono app factory: it never binds a port itself (`serve.ts`).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { ClusterApi, ConnectGraph, ID, Pin, PinType } from '@pinmesh/interface'
import {
  encodeAlert,
  encodeGlobalPinInfo,
  encodeId,
  encodeMetric,
  encodePin,
  NotImplementedError,
  parseCid,
  parsePinOptionsQuery,
  parseStatusFilter,
} from '@pinmesh/interface'
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import { registerAddRoute } from './add.js'
import { issueToken } from './auth.js'
import { bulkPin, encodeBulkResult } from './bulk.js'
import { installPipeline, readJsonBody, sendJson } from './common.js'
import { parseRestApiConfig, type RestApiConfig } from './config.js'
import { apiError, errorResponse, HttpError } from './errors.js'
import { ndjson } from './ndjson.js'
import { parallelCompletion } from './streams.js'

/** Optional capabilities a cluster may offer beyond `ClusterApi`; absent → 501. */
export interface RestCluster extends ClusterApi {
  connectGraph?(options?: { signal?: AbortSignal }): Promise<ConnectGraph>
  bandwidth?(options?: { signal?: AbortSignal }): Promise<Record<string, { total_in: number; total_out: number; rate_in: number; rate_out: number }> | null>
  peerAdd?(peer: string, options?: { signal?: AbortSignal }): Promise<ID>
}

export interface RestApiInit {
  cluster: RestCluster
  /** Parsed `api.restapi`; defaults when absent. */
  config?: RestApiConfig
  /** Concurrent pins of one bulk request (default 1000, the pinset's default max_batch_size). */
  bulkConcurrency?: number
  /** Access log at debug level (or `http_log_file`). */
  logger?: Logger
}

const PIN_TYPE_WORDS: Record<string, PinType[]> = {
  pin: ['pin'],
  'meta-pin': ['meta-pin'],
  'clusterdag-pin': ['clusterdag-pin'],
  'shard-pin': ['shard-pin'],
  all: ['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin'],
}

/** `GET /allocations?filter=`: comma list of pin types; only-unknown words → 400. */
export function parsePinTypeFilter(input: string | undefined): Set<PinType> | undefined {
  const text = (input ?? '').replace(/\s+/g, '')
  if (text === '') return undefined
  const types = new Set<PinType>()
  for (const word of text.split(',')) for (const t of PIN_TYPE_WORDS[word] ?? []) types.add(t)
  if (types.size === 0) throw new HttpError(400, 'invalid filter value')
  return types
}

function cidParam(c: Context, name = 'hash'): string {
  const cid = c.req.param(name) as string
  parseCid(cid)
  return cid
}

function local(c: Context): boolean {
  return c.req.query('local') === 'true'
}

function signal(c: Context): AbortSignal {
  return c.req.raw.signal
}

/** `/pins/ipfs/<cid>/sub` → `/ipfs/<cid>/sub` (trailing slash trimmed). */
function pathParam(c: Context): string {
  let path: string
  try {
    path = decodeURIComponent(c.req.path.slice('/pins'.length))
  } catch (err) {
    throw new HttpError(400, `error parsing path: ${(err as Error).message}`)
  }
  path = path.replace(/\/+$/, '')
  const segments = path.split('/')
  if (segments.length < 3 || segments[2] === '')
    throw new HttpError(400, `error parsing path: ${JSON.stringify(path)} has no CID or name after /${segments[1]}/`)
  return path
}

async function pathToCid(cluster: ClusterApi, path: string, sig: AbortSignal): Promise<string> {
  const m = /^\/ipfs\/([^/]+)$/.exec(path)
  if (m !== null) {
    try {
      parseCid(m[1] as string)
    } catch (err) {
      throw new HttpError(400, `error parsing path: ${(err as Error).message}`)
    }
    return m[1] as string
  }
  return cluster.resolve(path, { signal: sig })
}

function parsePeerId(text: string, what: string): string {
  try {
    return peerIdFromString(text).toString()
  } catch (err) {
    throw new HttpError(400, `${what}: ${(err as Error).message}`)
  }
}

async function connectGraph(cluster: RestCluster, sig: AbortSignal): Promise<ConnectGraph> {
  if (cluster.connectGraph !== undefined) return cluster.connectGraph({ signal: sig })
  // Without a dedicated capability: each member's own view of the membership, from /peers.
  const self = await cluster.id({ signal: sig })
  const graph: ConnectGraph = { cluster_id: self.id, id_to_peername: {}, ipfs_links: {}, cluster_links: {}, cluster_trust_links: {}, cluster_to_ipfs: {} }
  for await (const peer of cluster.peers({ signal: sig })) {
    graph.id_to_peername[peer.id] = peer.peername
    graph.cluster_links[peer.id] = peer.error === '' ? peer.cluster_peers.filter((p) => p !== peer.id) : []
    if (peer.error === '' && peer.ipfs.id !== undefined) graph.cluster_to_ipfs[peer.id] = peer.ipfs.id
  }
  return graph
}

async function* filterPins(pins: AsyncIterable<Pin>, types: Set<PinType> | undefined): AsyncIterable<Pin> {
  for await (const pin of pins) if (types === undefined || types.has(pin.type)) yield pin
}

/** Builds the REST API app. */
export function createRestApi(init: RestApiInit): Hono {
  const { cluster } = init
  const config = init.config ?? parseRestApiConfig(undefined)
  const creds = config.basic_auth_credentials
  const app = new Hono()
  app.onError((err, c) => errorResponse(c, err))
  installPipeline(app, { api: 'rest', config, errorBody: apiError, ...(init.logger !== undefined ? { logger: init.logger } : {}) })
  app.notFound((c) => apiError(c, 404, 'not found'))

  app.get('/id', async (c) => sendJson(c, encodeId(await cluster.id({ signal: signal(c) }))))
  app.get('/version', (c) => sendJson(c, { version: cluster.version() }))
  app.get('/peers', (c) => ndjson(c, cluster.peers({ signal: signal(c) }), encodeId))
  app.post('/peers', async (c) => {
    const body = await readJsonBody(c, config.max_body_bytes)
    const pid = typeof body === 'object' && body !== null ? (body as { peer_id?: unknown }).peer_id : undefined
    if (typeof pid !== 'string') throw new HttpError(400, 'error decoding request body: peer_id must be a string')
    const peer = parsePeerId(pid, 'error decoding peer_id')
    if (cluster.peerAdd !== undefined) return sendJson(c, encodeId(await cluster.peerAdd(peer, { signal: signal(c) })))
    const self = await cluster.id({ signal: signal(c) })
    for await (const id of cluster.peers({ signal: signal(c) })) {
      if (id.id !== peer) continue
      if (id.error !== '') throw new Error(id.error)
      if (!id.cluster_peers.includes(self.id)) id.cluster_peers.push(self.id)
      return sendJson(c, encodeId(id))
    }
    throw new NotImplementedError(`adding peer ${peer}: pinmesh peers join by connecting to the cluster (bootstrap/mDNS); it is not a member yet`)
  })
  app.delete('/peers/:peer', async (c) => {
    const peer = parsePeerId(c.req.param('peer'), 'error decoding Peer ID')
    await cluster.peerRemove(peer, { signal: signal(c) })
    return c.body(null, 204)
  })

  app.get('/allocations', (c) => {
    const types = parsePinTypeFilter(c.req.query('filter'))
    return ndjson(c, filterPins(cluster.allocations({ signal: signal(c) }), types), encodePin)
  })
  app.get('/allocations/:hash', async (c) => sendJson(c, encodePin(await cluster.allocation(cidParam(c), { signal: signal(c) }))))

  app.get('/pins', (c) => {
    const cidsText = c.req.query('cids') ?? ''
    const opts = { local: local(c), signal: signal(c) }
    if (cidsText !== '') {
      const cids = cidsText.split(',').map((s) => s.trim())
      for (const cid of cids) parseCid(cid)
      return ndjson(
        c,
        parallelCompletion(cids, 16, (cid) => cluster.status(cid, opts)),
        encodeGlobalPinInfo,
      )
    }
    const filter = parseStatusFilter(c.req.query('filter'))
    return ndjson(c, cluster.statusAll(filter, opts), encodeGlobalPinInfo)
  })
  app.post('/pins', (c) => {
    const declared = Number(c.req.header('content-length') ?? Number.NaN)
    if (declared > config.max_bulk_body_bytes)
      throw new HttpError(413, `request body too large: ${declared} bytes, the limit is ${config.max_bulk_body_bytes} bytes`)
    const body = (c.req.raw.body ?? (async function* () {})()) as AsyncIterable<Uint8Array>
    const results = bulkPin(cluster, body, {
      maxBodyBytes: config.max_bulk_body_bytes,
      maxLineBytes: config.max_body_bytes,
      concurrency: init.bulkConcurrency ?? 1000,
      signal: signal(c),
    })
    return ndjson(c, results, encodeBulkResult)
  })
  app.post('/pins/recover', (c) => ndjson(c, cluster.recoverAll({ local: local(c), signal: signal(c) }), encodeGlobalPinInfo))
  app.post('/pins/:hash/recover', async (c) => sendJson(c, encodeGlobalPinInfo(await cluster.recover(cidParam(c), { local: local(c), signal: signal(c) }))))
  app.get('/pins/:hash', async (c) => sendJson(c, encodeGlobalPinInfo(await cluster.status(cidParam(c), { local: local(c), signal: signal(c) }))))
  app.post('/pins/:hash', async (c) => {
    const cid = cidParam(c)
    const options = parsePinOptionsQuery(new URL(c.req.url).searchParams)
    return sendJson(c, encodePin(await cluster.pin(cid, options, signal(c))))
  })
  app.post('/pins/:keyType{ipfs|ipns|ipld}/*', async (c) => {
    const options = parsePinOptionsQuery(new URL(c.req.url).searchParams)
    const cid = await pathToCid(cluster, pathParam(c), signal(c))
    return sendJson(c, encodePin(await cluster.pin(cid, options, signal(c))))
  })
  app.delete('/pins/:hash', async (c) => sendJson(c, encodePin(await cluster.unpin(cidParam(c), { signal: signal(c) }))))
  app.delete('/pins/:keyType{ipfs|ipns|ipld}/*', async (c) => {
    const cid = await pathToCid(cluster, pathParam(c), signal(c))
    return sendJson(c, encodePin(await cluster.unpin(cid, { signal: signal(c) })))
  })

  app.post('/ipfs/gc', async (c) => sendJson(c, await cluster.repoGc({ local: local(c), signal: signal(c) })))
  app.get('/health/graph', async (c) => sendJson(c, await connectGraph(cluster, signal(c))))
  app.get('/health/alerts', (c) => sendJson(c, cluster.alerts().map(encodeAlert)))
  app.get('/health/bandwidth', async (c) => {
    if (cluster.bandwidth === undefined) throw new NotImplementedError('bandwidth by protocol is not reported by this peer yet')
    return sendJson(c, await cluster.bandwidth({ signal: signal(c) }))
  })
  app.get('/monitor/metrics/:name', (c) => sendJson(c, cluster.metrics(c.req.param('name')).map(encodeMetric)))
  app.get('/monitor/metrics', (c) => sendJson(c, cluster.metricNames()))
  app.post('/token', (c) => issueToken(c, creds, apiError))
  app.get('/health', (c) => c.body(null, 204))
  registerAddRoute(app, { cluster })
  return app
}
