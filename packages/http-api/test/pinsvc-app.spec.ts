/** The Pinning Services API app through `app.request()`. */
import { describe, expect, it } from 'vitest'
import { parsePinSvcApiConfig } from '../src/config.js'
import { signToken } from '../src/jwt.js'
import { createPinSvcApi, pinSvcStatus } from '../src/pinsvc.js'
import { CIDS, FakeCluster } from './fake-cluster.js'

const config = parsePinSvcApiConfig({ basic_auth_credentials: { svc: 'pw' } })
const bearer = { Authorization: `Bearer ${signToken('svc', 'pw')}` }

describe('Pinning Services API app', () => {
  it('requires a bearer token and uses {"error":{"reason"}} bodies', async () => {
    const app = createPinSvcApi({ cluster: new FakeCluster(), config })
    const res = await app.request('/pins')
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { reason: 'unauthorized: no auth provided' } })
    expect((await app.request('/health')).status).toBe(204)
  })

  it('pins, lists, gets and deletes by request id (= CID)', async () => {
    const cluster = new FakeCluster()
    const app = createPinSvcApi({ cluster, config })
    const post = await app.request('/pins', { method: 'POST', headers: bearer, body: JSON.stringify({ cid: CIDS[0], name: 'site', meta: { a: 'b' } }) })
    expect(post.status).toBe(200)
    const status = (await post.json()) as Record<string, unknown>
    expect(Object.keys(status)).toEqual(['requestid', 'status', 'created', 'pin', 'delegates', 'info'])
    expect(status).toMatchObject({ requestid: CIDS[0], status: 'queued', pin: { cid: CIDS[0], name: 'site', meta: { a: 'b' } } })
    const list = (await (await app.request('/pins?status=pinned&name=SI&match=ipartial', { headers: bearer })).json()) as { count: number; results: unknown[] }
    expect(list.count).toBe(1)
    const none = (await (await app.request('/pins?name=other', { headers: bearer })).json()) as { count: number }
    expect(none.count).toBe(0)
    const one = await app.request(`/pins/${CIDS[0]}`, { headers: bearer })
    expect(((await one.json()) as { status: string }).status).toBe('pinned')
    const del = await app.request(`/pins/${CIDS[0]}`, { method: 'DELETE', headers: bearer })
    expect(del.status).toBe(202)
    const gone = await app.request(`/pins/${CIDS[0]}`, { method: 'DELETE', headers: bearer })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ error: { reason: 'pin is not part of the pinset' } })
  })

  it('rejects bad input naming the problem', async () => {
    const app = createPinSvcApi({ cluster: new FakeCluster(), config })
    const cases: [string, RequestInit, RegExp][] = [
      ['/pins', { method: 'POST', body: '{' }, /error decoding request body/],
      ['/pins', { method: 'POST', body: JSON.stringify({ cid: CIDS[0], name: 'n'.repeat(256) }) }, /pin name is over 255 chars/],
      ['/pins', { method: 'POST', body: JSON.stringify({ cid: 'nope' }) }, /error decoding Cid/],
      ['/pins?status=sleeping', {}, /status: unknown value/],
      ['/pins?limit=0', {}, /limit/],
      ['/pins?before=yesterday', {}, /before: not an RFC 3339 time/],
      ['/pins?meta=notjson', {}, /meta: expected a JSON object/],
    ]
    for (const [path, init, message] of cases) {
      const res = await app.request(path, { ...init, headers: bearer })
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { error: { reason: string } }).error.reason).toMatch(message)
    }
  })

  it('maps peer statuses in upstream priority order', () => {
    const g = (...statuses: string[]) =>
      ({
        cid: CIDS[0],
        name: '',
        allocations: [],
        origins: [],
        created: '',
        metadata: null,
        peer_map: Object.fromEntries(
          statuses.map((s, i) => [`p${i}`, { peername: '', status: s, timestamp: '', error: '', attempt_count: 0, priority_pin: false }]),
        ),
      }) as Parameters<typeof pinSvcStatus>[0]
    expect(pinSvcStatus(g('pinned', 'pin_error'))).toBe('failed')
    expect(pinSvcStatus(g('pinned', 'pinning'))).toBe('pinning')
    expect(pinSvcStatus(g('pinned', 'pin_queued'))).toBe('queued')
    expect(pinSvcStatus(g('pinned', 'remote'))).toBe('pinned')
    expect(pinSvcStatus(g('remote'))).toBeUndefined()
  })
})
