/**
 * The REST API that IPFS Cluster clients understand (reference §1). A Hono app factory: it never
 * binds a port itself; `apps/peer` serves it.
 */
import type { ClusterApi } from '@pinmesh/interface'
import { encodeGlobalPinInfo, encodeId, encodePin, parseCid, parsePinOptionsQuery, parseStatusFilter } from '@pinmesh/interface'
import { Hono } from 'hono'
import { registerAddRoute } from './add.js'
import { errorResponse } from './errors.js'
import { ndjson } from './ndjson.js'

export interface RestApiInit {
  cluster: ClusterApi
}

/** Builds the REST API app. */
export function createRestApi(init: RestApiInit): Hono {
  const { cluster } = init
  const app = new Hono()
  app.onError((err, c) => errorResponse(c, err))
  app.notFound((c) => c.json({ code: 404, message: 'not found' }, 404))

  app.get('/health', (c) => c.body(null, 204))
  app.get('/id', async (c) => c.json(encodeId(await cluster.id({ signal: c.req.raw.signal }))))
  app.get('/version', (c) => c.json({ version: cluster.version() }))

  app.get('/pins', async (c) => {
    const filter = parseStatusFilter(c.req.query('filter'))
    const local = c.req.query('local') === 'true'
    return ndjson(c, cluster.statusAll(filter, { local, signal: c.req.raw.signal }), encodeGlobalPinInfo)
  })
  app.get('/pins/:cid', async (c) => {
    const cid = c.req.param('cid')
    parseCid(cid)
    const local = c.req.query('local') === 'true'
    return c.json(encodeGlobalPinInfo(await cluster.status(cid, { local, signal: c.req.raw.signal })))
  })
  app.post('/pins/:cid', async (c) => {
    const cid = c.req.param('cid')
    parseCid(cid)
    const options = parsePinOptionsQuery(new URL(c.req.url).searchParams)
    return c.json(encodePin(await cluster.pin(cid, options, c.req.raw.signal)))
  })
  app.delete('/pins/:cid', async (c) => {
    const cid = c.req.param('cid')
    parseCid(cid)
    return c.json(encodePin(await cluster.unpin(cid, { signal: c.req.raw.signal })))
  })
  registerAddRoute(app, { cluster })
  return app
}
