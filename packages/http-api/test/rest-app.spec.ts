/** The REST app through `app.request()` (no sockets): routing, errors, auth, CORS, bulk pins. */
import { decodeId, decodePin, encodePin, parseJson } from '@pinmesh/interface'
import { describe, expect, it } from 'vitest'
import { parseRestApiConfig } from '../src/config.js'
import { signToken } from '../src/jwt.js'
import { createRestApi } from '../src/rest.js'
import { CIDS, FakeCluster } from './fake-cluster.js'

function app(config: unknown = {}, cluster = new FakeCluster()) {
  return { app: createRestApi({ cluster, config: parseRestApiConfig(config) }), cluster }
}

describe('REST app', () => {
  it('serves /id, /version and /health', async () => {
    const { app: a } = app()
    const id = await a.request('/id')
    expect(id.status).toBe(200)
    expect(id.headers.get('content-type')).toContain('application/json')
    expect(decodeId(await id.json()).peername).toBe('node-a')
    expect(await (await a.request('/version')).json()).toEqual({ version: '1.1.6' })
    const h = await a.request('/health')
    expect(h.status).toBe(204)
  })

  it('answers unknown paths 404 {code,message}, wrong methods 405, trailing slashes 307', async () => {
    const { app: a } = app()
    const nf = await a.request('/nope')
    expect(nf.status).toBe(404)
    expect(await nf.json()).toEqual({ code: 404, message: 'not found' })
    const wrong = await a.request('/version', { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toContain('GET')
    const slash = await a.request('/pins/?local=true')
    expect(slash.status).toBe(307)
    expect(slash.headers.get('location')).toBe('/pins?local=true')
  })

  it('pins with query options and rejects bad ones with upstream texts', async () => {
    const { app: a } = app()
    const res = await a.request(`/pins/${CIDS[0]}?replication-min=1&replication-max=2&name=site&meta-owner=alice`, { method: 'POST' })
    expect(res.status).toBe(200)
    const pin = decodePin(parseJson(await res.text()))
    expect(pin.name).toBe('site')
    expect(pin.metadata).toEqual({ owner: 'alice' })
    const bad = await a.request(`/pins/${CIDS[0]}?replication-min=x`, { method: 'POST' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ code: 400, message: 'parameter replication-min invalid' })
    const badCid = await a.request('/pins/abc', { method: 'POST' })
    expect(badCid.status).toBe(400)
    expect(((await badCid.json()) as { message: string }).message).toMatch(/^error decoding Cid: /)
    const expire = await a.request(`/pins/${CIDS[0]}?expire-in=10ms`, { method: 'POST' })
    expect(expire.status).toBe(400)
    expect(((await expire.json()) as { message: string }).message).toBe('expire-in duration too short')
  })

  it('maps "pin is not part of the pinset" to 404 and NotImplemented to 501', async () => {
    const { app: a } = app()
    const res = await a.request(`/allocations/${CIDS[1]}`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ code: 404, message: 'pin is not part of the pinset' })
    const rm = await a.request('/peers/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK', { method: 'DELETE' })
    expect(rm.status).toBe(501)
    const badPeer = await a.request('/peers/not-a-peer', { method: 'DELETE' })
    expect(badPeer.status).toBe(400)
    expect(((await badPeer.json()) as { message: string }).message).toMatch(/^error decoding Peer ID: /)
  })

  it('streams 204 for an empty listing and validates filters', async () => {
    const { app: a } = app()
    expect((await a.request('/allocations')).status).toBe(204)
    expect((await a.request('/pins')).status).toBe(204)
    const bad = await a.request('/pins?filter=nonsense')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ code: 400, message: 'invalid filter value' })
    const badType = await a.request('/allocations?filter=nonsense')
    expect(badType.status).toBe(400)
    const badCids = await a.request(`/pins?cids=${CIDS[0]},zzz`)
    expect(badCids.status).toBe(400)
  })

  it('lists allocations filtered by type as NDJSON', async () => {
    const { app: a, cluster } = app()
    await cluster.pin(CIDS[0] as string, decodePin({ cid: CIDS[0] }))
    await cluster.pin(CIDS[1] as string, decodePin({ cid: CIDS[1] }))
    const res = await a.request('/allocations?filter=pin')
    expect(res.status).toBe(200)
    const lines = (await res.text()).trim().split('\n')
    expect(lines).toHaveLength(2)
    expect((await a.request('/allocations?filter=shard-pin')).status).toBe(204)
  })

  it('bulk-pins an NDJSON body with one result per line, in order', async () => {
    const { app: a, cluster } = app()
    const body = [
      JSON.stringify({ cid: CIDS[0], name: 'a', replication_factor_min: 1, replication_factor_max: 2 }),
      '{"cid": "nope"}',
      'garbage',
      '',
      JSON.stringify({ cid: CIDS[1], metadata: { k: 'v' } }),
      JSON.stringify({ cid: CIDS[2], mode: 'sideways' }),
    ].join('\n')
    const res = await a.request('/pins', { method: 'POST', body })
    expect(res.status).toBe(200)
    const out = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(out).toHaveLength(5)
    expect(out[0]?.cid).toBe(CIDS[0])
    expect(out[0]?.name).toBe('a')
    expect(out[1]).toMatchObject({ line: 2, cid: 'nope', code: 400 })
    expect(out[2]).toMatchObject({ line: 3, cid: null, code: 400 })
    expect(String(out[2]?.message)).toMatch(/line 3: error decoding JSON/)
    expect(out[3]).toMatchObject({ cid: CIDS[1], metadata: { k: 'v' } })
    expect(out[4]).toMatchObject({ line: 6, code: 400 })
    expect(String(out[4]?.message)).toContain('mode')
    expect([...cluster.pins.keys()].sort()).toEqual([CIDS[0], CIDS[1]].sort())
  })

  it('refuses empty and oversized bulk bodies with 400 / 413', async () => {
    const { app: a } = app({ max_bulk_body_bytes: 1000, max_body_bytes: 200 })
    const empty = await a.request('/pins', { method: 'POST', body: '\n\n' })
    expect(empty.status).toBe(400)
    expect(((await empty.json()) as { message: string }).message).toMatch(/no pins/)
    const line = `${JSON.stringify({ cid: CIDS[0] })}\n`
    const big = await a.request('/pins', { method: 'POST', body: line.repeat(40) })
    expect(big.status).toBe(413)
    const longLine = await a.request('/pins', { method: 'POST', body: JSON.stringify({ cid: CIDS[0], name: 'x'.repeat(300) }) })
    expect(longLine.status).toBe(413)
    const peers = await a.request('/peers', { method: 'POST', body: JSON.stringify({ peer_id: 'x'.repeat(500) }) })
    expect(peers.status).toBe(413)
  })

  it('rejects bad POST /peers bodies', async () => {
    const { app: a } = app()
    const notJson = await a.request('/peers', { method: 'POST', body: '{' })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { message: string }).message).toMatch(/^error decoding request body/)
    const badId = await a.request('/peers', { method: 'POST', body: '{"peer_id":"xyz"}' })
    expect(badId.status).toBe(400)
    expect(((await badId.json()) as { message: string }).message).toMatch(/^error decoding peer_id/)
  })

  it('keeps int64 metric times exact', async () => {
    const { app: a } = app()
    const text = await (await a.request('/monitor/metrics/freespace')).text()
    expect(text).toContain('"expire":1778487491123456789')
    expect(await (await a.request('/monitor/metrics')).json()).toEqual(['freespace'])
    expect(await (await a.request('/health/alerts')).json()).toEqual([])
  })
})

describe('REST auth', () => {
  const creds = { basic_auth_credentials: { admin: 'secret' } }
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`

  it('requires credentials except for GET /health and OPTIONS', async () => {
    const { app: a } = app(creds)
    const none = await a.request('/id')
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({ code: 401, message: 'unauthorized: no auth provided' })
    expect(none.headers.get('www-authenticate')).toContain('Basic realm="Restricted IPFS Cluster API"')
    expect(none.headers.get('www-authenticate')).toContain('Bearer realm="Restricted IPFS Cluster API"')
    expect((await a.request('/health')).status).toBe(204)
    const pre = await a.request('/id', { method: 'OPTIONS', headers: { Origin: 'http://x.example', 'Access-Control-Request-Method': 'GET' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://x.example')
    const wrong = await a.request('/id', { headers: { Authorization: basic('admin', 'nope') } })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toEqual({ code: 401, message: 'unauthorized: access denied' })
    expect((await a.request('/id', { headers: { Authorization: basic('admin', 'secret') } })).status).toBe(200)
  })

  it('issues JWTs that authenticate, and refuses forged ones', async () => {
    const { app: a } = app(creds)
    const res = await a.request('/token', { method: 'POST', headers: { Authorization: basic('admin', 'secret') } })
    expect(res.status).toBe(200)
    const { token } = (await res.json()) as { token: string }
    expect(JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())).toEqual({ iss: 'admin' })
    expect((await a.request('/id', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200)
    const forged = signToken('admin', 'guess')
    const bad = await a.request('/id', { headers: { Authorization: `bearer ${forged}` } })
    expect(bad.status).toBe(401)
    expect(await bad.json()).toEqual({ code: 401, message: 'unauthorized: invalid token' })
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('answers POST /token 401 when auth is disabled', async () => {
    const { app: a } = app()
    const res = await a.request('/token', { method: 'POST' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ code: 401, message: 'unauthorized' })
  })
})

describe('CORS and headers', () => {
  it('annotates allowed GETs, adds configured headers, and leaves disallowed methods alone', async () => {
    const { app: a } = app({ headers: { 'X-Custom': ['yes'] } })
    const res = await a.request('/version', { headers: { Origin: 'http://ui.example' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('http://ui.example')
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Stream-Output')
    expect(res.headers.get('x-custom')).toBe('yes')
    const post = await a.request(`/pins/${CIDS[0]}`, { method: 'POST', headers: { Origin: 'http://ui.example' } })
    expect(post.headers.get('access-control-allow-origin')).toBeNull()
    const pre = await a.request('/pins', { method: 'OPTIONS', headers: { Origin: 'http://ui.example', 'Access-Control-Request-Method': 'DELETE' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBeNull()
  })
  it('encodes pins exactly as the codec does', async () => {
    const { app: a } = app()
    const res = await a.request(`/pins/${CIDS[0]}`, { method: 'POST' })
    const text = await res.text()
    expect(text).toBe(JSON.stringify(encodePin(decodePin(JSON.parse(text)))))
  })
})

describe('POST /add on a cluster without an add capability', () => {
  it('answers 501 with a message instead of a fake result', async () => {
    const { app: a } = app()
    const res = await a.request('/add', { method: 'POST' })
    expect(res.status).toBe(501)
    expect(((await res.json()) as { message: string }).message).toMatch(/cannot add content/)
  })
})
