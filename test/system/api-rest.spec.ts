/**
 * The REST API route by route against a real `pinmesh daemon` process (embedded Helia, real
 * LevelDB): shapes compared with the reference's example objects, streams and their
 * `X-Stream-Error` trailer read on the wire, bad input on every route that takes input, and the
 * peer still healthy afterwards.
 */
import { decodeGlobalPinInfo, decodeId, decodeMetric, decodePin, encodeGlobalPinInfo, encodeId, encodePin, parseJson } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PeerProcess, startPeer } from '../helpers/peer.js'
import { freePort } from '../helpers/ports.js'
import { keyOrder, REFERENCE_CONNECT_GRAPH, REFERENCE_GLOBAL_PIN_INFO, REFERENCE_ID, REFERENCE_PIN } from './api-reference-examples.js'
import { errorOf, lines, type WireResponse, wire } from './api-wire.js'

// Valid CIDs of content the peer does not hold (pins of them stay "pinning"; fine for API shapes).
const CIDS = [
  'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
  'QmZ4tDuvesekSs4qM5ZBKpXiZGun7S2CYtEZRB3DYXkjGx',
  'QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u',
  'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
]

/** Same keys in the same order as the reference, and the same JSON type wherever both are non-null. */
function expectShape(actual: unknown, reference: unknown, optional: string[] = []): void {
  const refKeys = keyOrder(reference).filter((k) => !optional.includes(k) || keyOrder(actual).includes(k))
  expect(keyOrder(actual)).toEqual(refKeys)
  const a = actual as Record<string, unknown>
  const r = reference as Record<string, unknown>
  for (const k of Object.keys(r)) {
    if (a[k] === null || r[k] === null || a[k] === undefined) continue
    expect(Array.isArray(a[k]), k).toBe(Array.isArray(r[k]))
    expect(typeof a[k], k).toBe(typeof r[k])
  }
}

function expectJson(res: WireResponse, status = 200): unknown {
  expect(res.status, res.body).toBe(status)
  expect(String(res.headers['content-type'])).toContain('application/json')
  return parseJson(res.body)
}

describe('REST API on a real peer', () => {
  let peer: PeerProcess
  let api: string
  let pinsvc: string

  beforeAll(async () => {
    const pinsvcPort = await freePort()
    pinsvc = `http://127.0.0.1:${pinsvcPort}`
    peer = await startPeer({ env: { CLUSTER_PINSVCAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${pinsvcPort}`, CLUSTER_PEERNAME: 'api-test' } })
    api = peer.api
  })
  afterAll(async () => {
    // A peer that died mid-suite leaves its last words here.
    if (peer !== undefined && peer.proc.exitCode !== null) process.stderr.write(`peer exited with ${peer.proc.exitCode}:\n${peer.logs().slice(-4000)}\n`)
    await peer?.stop()
  })

  it('GET /id and /version have the reference shapes', async () => {
    const id = expectJson(await wire('GET', `${api}/id`))
    expectShape(id, REFERENCE_ID)
    expect(JSON.stringify(id)).toBe(JSON.stringify(encodeId(decodeId(id))))
    expect((id as { peername: string }).peername).toBe('api-test')
    expect(expectJson(await wire('GET', `${api}/version`))).toEqual({ version: '1.1.6' })
  })

  it('empty listings answer 204 with no body', async () => {
    for (const path of ['/allocations', '/pins', '/pins?filter=pinned']) {
      const res = await wire('GET', `${api}${path}`)
      expect(res.status, path).toBe(204)
      expect(res.body).toBe('')
    }
    const rec = await wire('POST', `${api}/pins/recover`)
    expect(rec.status).toBe(204)
  })

  it('POST /pins/{cid} returns the Pin in the reference shape; GET /allocations/{cid} reads it back', async () => {
    const res = await wire(
      'POST',
      `${api}/pins/${CIDS[0]}?replication-min=-1&replication-max=-1&name=site&mode=recursive&shard-size=0&user-allocations=&meta-owner=alice`,
    )
    const pin = expectJson(res)
    expectShape(pin, REFERENCE_PIN)
    expect(res.body).toBe(JSON.stringify(encodePin(decodePin(pin))))
    expect(pin).toMatchObject({ cid: CIDS[0], name: 'site', metadata: { owner: 'alice' }, type: 'pin', max_depth: -1 })
    const back = expectJson(await wire('GET', `${api}/allocations/${CIDS[0]}`))
    expectShape(back, REFERENCE_PIN)
    expect(decodePin(back)).toMatchObject({ cid: CIDS[0], name: 'site' })
  })

  it('GET /pins/{cid} is a GlobalPinInfo in the reference shape; unknown CIDs are unpinned, not errors', async () => {
    const g = expectJson(await wire('GET', `${api}/pins/${CIDS[0]}`))
    const peerEntries = Object.values((g as { peer_map: Record<string, unknown> }).peer_map)
    expect(peerEntries).toHaveLength(1)
    expectShape(g, REFERENCE_GLOBAL_PIN_INFO)
    const refEntry = Object.values(REFERENCE_GLOBAL_PIN_INFO.peer_map)[0]
    expectShape(peerEntries[0], refEntry, ['ipfs_peer_id', 'ipfs_peer_addresses'])
    expect(JSON.stringify(g)).toBe(JSON.stringify(encodeGlobalPinInfo(decodeGlobalPinInfo(g))))
    const local = decodeGlobalPinInfo(expectJson(await wire('GET', `${api}/pins/${CIDS[0]}?local=true`)))
    expect(Object.keys(local.peer_map)).toHaveLength(1)
    const unknown = decodeGlobalPinInfo(expectJson(await wire('GET', `${api}/pins/${CIDS[3]}`)))
    expect(Object.values(unknown.peer_map).map((s) => s.status)).toEqual(['unpinned'])
  })

  it('path pins: POST and DELETE /pins/ipfs/<cid>', async () => {
    const pin = decodePin(expectJson(await wire('POST', `${api}/pins/ipfs/${CIDS[1]}?mode=direct&name=path`)))
    expect(pin).toMatchObject({ cid: CIDS[1], name: 'path', mode: 'direct', max_depth: 0 })
    const removed = decodePin(expectJson(await wire('DELETE', `${api}/pins/ipfs/${CIDS[1]}/`.replace(/\/$/, ''))))
    expect(removed.cid).toBe(CIDS[1])
    const gone = await wire('GET', `${api}/allocations/${CIDS[1]}`)
    expect(gone.status).toBe(404)
    expect(errorOf(gone)).toEqual({ code: 404, message: 'pin is not part of the pinset' })
  })

  it('streams GET /pins, /allocations and /peers as NDJSON with the X-Stream-Error trailer', async () => {
    await wire('POST', `${api}/pins/${CIDS[2]}?name=second`)
    for (const path of ['/pins', '/pins?local=true', '/allocations', '/allocations?filter=pin,meta-pin', `/pins?cids=${CIDS[0]},${CIDS[2]}`, '/peers']) {
      const res = await wire('GET', `${api}${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.trailer, path).toBe('X-Stream-Error')
      expect(res.headers['transfer-encoding'], path).toBe('chunked')
      expect(res.rawTrailers, path).toEqual(['X-Stream-Error', ''])
      const items = lines(res.body)
      if (path === '/peers') {
        expect(items.map((i) => decodeId(i).peername)).toEqual(['api-test'])
        expectShape(items[0], REFERENCE_ID)
      } else if (path.startsWith('/allocations')) {
        expect(items.map((i) => decodePin(i).cid).sort()).toEqual([CIDS[0], CIDS[2]].sort())
      } else {
        expect(items.map((i) => decodeGlobalPinInfo(i).cid).sort()).toEqual([CIDS[0], CIDS[2]].sort())
      }
    }
    expect((await wire('GET', `${api}/allocations?filter=shard-pin`)).status).toBe(204)
  })

  it('recover routes answer GlobalPinInfo', async () => {
    const one = decodeGlobalPinInfo(expectJson(await wire('POST', `${api}/pins/${CIDS[0]}/recover`)))
    expect(one.cid).toBe(CIDS[0])
    const local = decodeGlobalPinInfo(expectJson(await wire('POST', `${api}/pins/${CIDS[0]}/recover?local=true`)))
    expect(Object.keys(local.peer_map)).toHaveLength(1)
    const all = await wire('POST', `${api}/pins/recover?local=true`)
    expect([200, 204]).toContain(all.status)
    if (all.status === 200) for (const item of lines(all.body)) decodeGlobalPinInfo(item)
  })

  it('health and monitor routes', async () => {
    const graph = expectJson(await wire('GET', `${api}/health/graph`)) as { cluster_id: string; id_to_peername: Record<string, string> }
    expectShape(graph, REFERENCE_CONNECT_GRAPH)
    const id = decodeId(parseJson((await wire('GET', `${api}/id`)).body))
    expect(graph.cluster_id).toBe(id.id)
    expect(graph.id_to_peername[id.id]).toBe('api-test')
    expect(Array.isArray(expectJson(await wire('GET', `${api}/health/alerts`)))).toBe(true)
    const names = expectJson(await wire('GET', `${api}/monitor/metrics`)) as string[]
    expect(Array.isArray(names)).toBe(true)
    for (const name of names.length > 0 ? names : ['freespace']) {
      const metrics = expectJson(await wire('GET', `${api}/monitor/metrics/${name}`)) as unknown[]
      for (const m of metrics) decodeMetric(m)
    }
    // Capabilities that may not have landed answer either their shape or 501 with a message.
    for (const [method, path] of [
      ['GET', '/health/bandwidth'],
      ['POST', '/ipfs/gc?local=true'],
    ] as const) {
      const res = await wire(method, `${api}${path}`)
      if (res.status === 501) expect(errorOf(res).message.length, path).toBeGreaterThan(0)
      else expect(res.status, `${path}: ${res.body}`).toBe(200)
    }
  })

  it('bulk POST /pins pins every line and answers one line per pin', async () => {
    const body = [
      ...CIDS.map((cid, i) => JSON.stringify({ cid, name: `bulk-${i}`, replication_factor_min: -1, replication_factor_max: -1 })),
      '{"cid":"not-a-cid"}',
      '{"cid":',
    ].join('\n')
    const res = await wire('POST', `${api}/pins`, { body, headers: { 'Content-Type': 'application/x-ndjson' } })
    expect(res.status).toBe(200)
    expect(res.rawTrailers).toEqual(['X-Stream-Error', ''])
    const out = lines(res.body) as Record<string, unknown>[]
    expect(out).toHaveLength(CIDS.length + 2)
    for (const [i, cid] of CIDS.entries()) expect(decodePin(out[i])).toMatchObject({ cid, name: `bulk-${i}` })
    expect(out[CIDS.length]).toMatchObject({ line: CIDS.length + 1, cid: 'not-a-cid', code: 400 })
    expect(out[CIDS.length + 1]).toMatchObject({ line: CIDS.length + 2, cid: null, code: 400 })
    const all = lines((await wire('GET', `${api}/allocations`)).body).map((p) => decodePin(p))
    for (const [i, cid] of CIDS.entries()) expect(all.find((p) => p.cid === cid)?.name).toBe(`bulk-${i}`)
  })

  it('bad input on every route that takes input → 4xx naming the problem, peer keeps running', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024)
    const cases: [string, string, RegExp, number, string?][] = [
      ['POST', '/pins/notacid', /^error decoding Cid/, 400],
      ['GET', '/pins/notacid', /^error decoding Cid/, 400],
      ['DELETE', '/pins/notacid', /^error decoding Cid/, 400],
      ['POST', '/pins/notacid/recover', /^error decoding Cid/, 400],
      ['GET', '/allocations/notacid', /^error decoding Cid/, 400],
      ['POST', `/pins/${CIDS[0]}?replication-min=abc`, /^parameter replication-min invalid/, 400],
      ['POST', `/pins/${CIDS[0]}?replication-max=1.5`, /^parameter replication-max invalid/, 400],
      ['POST', `/pins/${CIDS[0]}?shard-size=-4`, /^parameter shard_size is invalid/, 400],
      ['POST', `/pins/${CIDS[0]}?expire-at=tomorrow`, /^expire-at cannot be parsed/, 400],
      ['POST', `/pins/${CIDS[0]}?expire-in=forever`, /^expire-in cannot be parsed/, 400],
      ['POST', `/pins/${CIDS[0]}?pin-update=zzz`, /^error decoding Cid/, 400],
      ['POST', `/pins/${CIDS[0]}?origins=/ip4/1.2.3.4/tcp/4001`, /origins/, 400],
      ['POST', `/pins/${CIDS[0]}?replication-min=3&replication-max=2`, /replication_factor_min is larger than max/, 400],
      ['POST', '/pins/ipfs/notacid', /^error parsing path/, 400],
      ['DELETE', '/pins/ipfs/', /./, 307],
      ['GET', '/pins?filter=nonsense', /^invalid filter value$/, 400],
      ['GET', '/pins?cids=notacid', /^error decoding Cid/, 400],
      ['GET', '/allocations?filter=nonsense', /^invalid filter value$/, 400],
      ['POST', '/peers', /^error decoding request body/, 400, '{not json'],
      ['POST', '/peers', /^error decoding peer_id/, 400, '{"peer_id":"nope"}'],
      ['POST', '/peers', /^request body too large/, 413, JSON.stringify({ peer_id: big })],
      ['DELETE', '/peers/nope', /^error decoding Peer ID/, 400],
      ['POST', '/pins', /no pins/, 400, ''],
      ['GET', '/nope', /^not found$/, 404],
    ]
    for (const [method, path, message, status, body] of cases) {
      const res = await wire(method, `${api}${path}`, body === undefined ? {} : { body })
      expect(res.status, `${method} ${path}: ${res.body}`).toBe(status)
      if (status !== 307) expect(errorOf(res).message, `${method} ${path}`).toMatch(message)
    }
    const wrongMethod = await wire('PUT', `${api}/pins/${CIDS[0]}`)
    expect(wrongMethod.status).toBe(405)
    expect((await wire('GET', `${api}/health`)).status).toBe(204)
    expect(peer.proc.exitCode).toBeNull()
  })

  it('Pinning Services API: pin, get, list, delete with the spec shapes', async () => {
    const post = await wire('POST', `${pinsvc}/pins`, { body: JSON.stringify({ cid: CIDS[3], name: 'svc', meta: { app: 'test' } }) })
    const status = expectJson(post) as Record<string, unknown>
    expect(Object.keys(status)).toEqual(['requestid', 'status', 'created', 'pin', 'delegates', 'info'])
    expect(status).toMatchObject({ requestid: CIDS[3], status: 'queued', pin: { cid: CIDS[3], name: 'svc', meta: { app: 'test' } } })
    const list = expectJson(await wire('GET', `${pinsvc}/pins?limit=1000`)) as { count: number; results: { requestid: string }[] }
    expect(list.results.map((r) => r.requestid)).toContain(CIDS[3])
    expect(list.count).toBe(list.results.length)
    const bad = await wire('GET', `${pinsvc}/pins?status=sleeping`)
    expect(bad.status).toBe(400)
    expect((JSON.parse(bad.body) as { error: { reason: string } }).error.reason).toMatch(/status/)
    expect((await wire('DELETE', `${pinsvc}/pins/${CIDS[3]}`)).status).toBe(202)
    expect((await wire('DELETE', `${pinsvc}/pins/${CIDS[3]}`)).status).toBe(404)
  })
})
