import { describe, expect, it } from 'vitest'
import {
  decodeAddedOutput,
  decodeAlert,
  decodeGlobalPinInfo,
  decodeId,
  decodeMetric,
  decodePin,
  encodeAddedOutput,
  encodeAlert,
  encodeGlobalPinInfo,
  encodeId,
  encodeMetric,
  encodePin,
  InvalidArgumentError,
  mergePinInfo,
  parseJson,
  stringifyJson,
} from '../src/index.js'

// Example objects copied from reference §1.10 (ipfs-cluster.md), as JSON text.
const PIN = `{"replication_factor_min":2,"replication_factor_max":3,"name":"website-v2","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":{"kind":"text"},"pin_update":null,"origins":[],"cid":"bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi","type":"pin","allocations":["12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK","12D3KooWKnSVzCtZLcBKzNQxhbzhj4a2GvMrh1MjxSqqLo4NXG5V"],"max_depth":-1,"reference":null,"timestamp":"2026-05-11T10:17:41+02:00"}`
const EXPORT_LINE = `{"replication_factor_min":-1,"replication_factor_max":-1,"name":"","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":null,"pin_update":null,"origins":[],"cid":"QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6","type":"pin","allocations":[],"max_depth":-1,"reference":null,"timestamp":"2026-05-11T10:17:41+02:00"}`
const GLOBAL = `{"cid":"QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG","name":"website-v2","allocations":["12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK"],"origins":[],"created":"2026-05-11T10:17:41+02:00","metadata":null,"peer_map":{"12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK":{"peername":"node-a","ipfs_peer_id":"12D3KooWLx8Hv8QjDWdMSkFPJpX7XiSUjVh2ZArSc5m4dcN8w9ZD","ipfs_peer_addresses":["/ip4/127.0.0.1/tcp/4001"],"status":"pinned","timestamp":"2026-05-11T10:17:41+02:00","error":"","attempt_count":0,"priority_pin":false},"12D3KooWKnSVzCtZLcBKzNQxhbzhj4a2GvMrh1MjxSqqLo4NXG5V":{"peername":"node-b","ipfs_peer_id":"12D3KooWQ7tFRmpnb1PpZUpf7p5J2yGeKDkBPxZp6jT9xAzgvs9D","status":"remote","timestamp":"2026-05-11T10:20:00.123456789+02:00","error":"","attempt_count":0,"priority_pin":false}}}`
const ID_JSON = `{"id":"12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK","addresses":["/ip4/127.0.0.1/tcp/9096/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK","/ip4/192.168.1.20/tcp/9096/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK"],"cluster_peers":["12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK"],"cluster_peers_addresses":[],"version":"1.1.6","commit":"","rpc_protocol_version":"/ipfscluster/1.0/rpc","error":"","ipfs":{"id":"12D3KooWLx8Hv8QjDWdMSkFPJpX7XiSUjVh2ZArSc5m4dcN8w9ZD","addresses":["/ip4/127.0.0.1/tcp/4001","/ip4/192.168.1.20/tcp/4001"],"error":""},"peername":"node-a"}`
const ID_IPFS_DOWN = `{"id":"12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK","addresses":null,"cluster_peers":[],"cluster_peers_addresses":[],"version":"1.1.6","commit":"","rpc_protocol_version":"/ipfscluster/1.0/rpc","error":"","ipfs":{"addresses":null,"error":"connection refused"},"peername":"node-a"}`
const METRIC = `{"name":"freespace","peer":"12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK","value":"53687091200","expire":1778487491123456789,"valid":true,"weight":53687091200,"partitionable":false,"received_at":1778487461123456789}`
const ALERT = `{"name":"ping","peer":"12D3KooWKnSVzCtZLcBKzNQxhbzhj4a2GvMrh1MjxSqqLo4NXG5V","value":"{\\"peer_name\\":\\"node-b\\",\\"ipfs_id\\":\\"12D3KooWQ7t…\\"}","expire":1778487491123456789,"valid":true,"weight":0,"partitionable":false,"received_at":1778487461123456789,"triggered_at":"2026-05-11T10:18:26.000000001+02:00"}`
const ADDED = `{"name":"docs/readme.txt","cid":"QmZ4tDuvesekSs4qM5ZBKpXiZGun7S2CYtEZRB3DYXkjGx","size":1247,"allocations":["12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK"]}`
const PROGRESS = `{"name":"big.bin","cid":null,"bytes":262144}`

describe('JSON codecs round-trip the reference examples byte for byte', () => {
  const cases: Array<[string, string, (v: unknown) => unknown, (v: never) => unknown]> = [
    ['Pin', PIN, decodePin, encodePin],
    ['Pin export line', EXPORT_LINE, decodePin, encodePin],
    ['GlobalPinInfo', GLOBAL, decodeGlobalPinInfo, encodeGlobalPinInfo],
    ['ID', ID_JSON, decodeId, encodeId],
    ['ID with IPFS down', ID_IPFS_DOWN, decodeId, encodeId],
    ['Metric', METRIC, decodeMetric, encodeMetric],
    ['Alert', ALERT, decodeAlert, encodeAlert],
    ['AddedOutput', ADDED, decodeAddedOutput, encodeAddedOutput],
    ['AddedOutput progress', PROGRESS, decodeAddedOutput, encodeAddedOutput],
  ]
  for (const [name, text, decode, encode] of cases) {
    it(name, () => {
      const decoded = decode(parseJson(text))
      expect(stringifyJson(encode(decoded as never))).toBe(text)
    })
  }

  it('keeps int64 nanosecond times exact', () => {
    const m = decodeMetric(parseJson(METRIC))
    expect(m.expire).toBe(1778487491123456789n)
    expect(m.received_at - 30_000_000_000n).toBe(1778487431123456789n)
  })

  it('keeps -1 replication (pin everywhere)', () => {
    const p = decodePin(parseJson(EXPORT_LINE))
    expect([p.replication_factor_min, p.replication_factor_max]).toEqual([-1, -1])
  })
})

describe('decodePin leniency and errors', () => {
  it("accepts upstream's lenient import fixture with missing fields", () => {
    const p = decodePin({
      cid: 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6',
      name: '',
      allocations: [],
      replication_factor_min: -1,
      replication_factor_max: -1,
    })
    expect(p.type).toBe('pin')
    expect(p.max_depth).toBe(-1)
    expect(p.mode).toBe('recursive')
    expect(p.timestamp).toBe('0001-01-01T00:00:00Z')
  })

  it('derives mode from max_depth on read-back', () => {
    const p = decodePin({ cid: 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6', mode: 'recursive', max_depth: 0 })
    expect(p.mode).toBe('direct')
  })

  it('names the bad field', () => {
    expect(() => decodePin({ cid: 'not-a-cid' })).toThrow(/cid: error decoding Cid/)
    expect(() => decodePin({ cid: 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6', replication_factor_min: 'two' })).toThrow(
      /replication_factor_min: expected an integer, got string "two"/,
    )
    expect(() => decodePin({ cid: 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6', allocations: [1] }, 'line 3')).toThrow(InvalidArgumentError)
    expect(() => decodePin({ cid: 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6', timestamp: 'yesterday' })).toThrow(/timestamp: expected an RFC 3339 time/)
    expect(() => decodePin([])).toThrow(/expected a JSON object, got an array/)
    expect(() => decodePin({})).toThrow(/cid: is required/)
  })
})

describe('mergePinInfo', () => {
  it('lets healthy peers override top-level fields of cluster_error entries', () => {
    const base = { cid: 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6', allocations: [], origins: [], created: '0001-01-01T00:00:00Z', metadata: null }
    const err = {
      ...base,
      name: '',
      peer: 'A',
      peername: 'a',
      status: 'cluster_error' as const,
      timestamp: '0001-01-01T00:00:00Z',
      error: 'timeout',
      attempt_count: 0,
      priority_pin: false,
    }
    const ok = { ...err, name: 'site', peer: 'B', status: 'pinned' as const, error: '' }
    const g = mergePinInfo(mergePinInfo(undefined, err), ok)
    expect(g.name).toBe('site')
    expect(Object.keys(g.peer_map)).toEqual(['A', 'B'])
    expect(g.peer_map.A?.status).toBe('cluster_error')
    const g2 = mergePinInfo(mergePinInfo(undefined, ok), err)
    expect(g2.name).toBe('site')
  })
})
