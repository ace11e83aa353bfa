import { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import {
  formatDuration,
  InvalidArgumentError,
  newPin,
  parseCid,
  parseDuration,
  parsePinOptionsQuery,
  parseStatusFilter,
  pinOptionsToQuery,
  statusMatches,
  TRACKER_STATUS_BITS,
} from '../src/index.js'

describe('parseStatusFilter', () => {
  it('ORs known names, ignores unknown, handles composites', () => {
    expect(parseStatusFilter('pinned, pin_error,bogus')).toBe(TRACKER_STATUS_BITS.pinned | TRACKER_STATUS_BITS.pin_error)
    expect(parseStatusFilter('error')).toBe(2 | 4 | 8)
    expect(parseStatusFilter('queued')).toBe(512 | 1024)
    expect(parseStatusFilter('')).toBe(0)
  })
  it('rejects a filter where nothing matched, including undefined (as upstream)', () => {
    expect(() => parseStatusFilter('nope')).toThrow('invalid filter value')
    expect(() => parseStatusFilter('undefined')).toThrow('invalid filter value')
  })
  it('matches statuses', () => {
    expect(statusMatches('pinned', parseStatusFilter('pinned'))).toBe(true)
    expect(statusMatches('remote', parseStatusFilter('pinned'))).toBe(false)
    expect(statusMatches('remote', 0)).toBe(true)
    expect(statusMatches('pin_error', parseStatusFilter('error'))).toBe(true)
  })
})

describe('Go durations', () => {
  it('parses and formats', () => {
    expect(parseDuration('2m0s')).toBe(120_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('0s')).toBe(0)
    expect(parseDuration('0')).toBe(0)
    expect(formatDuration(120_000)).toBe('2m0s')
    expect(formatDuration(30_000)).toBe('30s')
    expect(formatDuration(3_600_000 * 24)).toBe('24h0m0s')
    expect(formatDuration(250)).toBe('250ms')
  })
  it('rejects garbage with the input in the message', () => {
    expect(() => parseDuration('2 minutes', 'cluster.dial_peer_timeout')).toThrow(/cluster.dial_peer_timeout: invalid duration "2 minutes"/)
    expect(() => parseDuration('')).toThrow(InvalidArgumentError)
    expect(() => parseDuration('10')).toThrow(InvalidArgumentError)
  })
})

describe('pin options from query parameters (reference §1.7)', () => {
  it('parses every option', () => {
    const q = new URLSearchParams(
      'name=site&mode=direct&replication-min=2&replication-max=3&shard-size=10&user-allocations=A,B&expire-in=1h&meta-kind=text&pin-update=QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6&origins=/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK',
    )
    const o = parsePinOptionsQuery(q, Date.UTC(2026, 0, 1))
    expect(o).toMatchObject({
      name: 'site',
      mode: 'direct',
      replication_factor_min: 2,
      replication_factor_max: 3,
      shard_size: 10,
      user_allocations: ['A', 'B'],
    })
    expect(o.expire_at).toBe('2026-01-01T01:00:00Z')
    expect(o.metadata).toEqual({ kind: 'text' })
    expect(o.pin_update).toBe('QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6')
    expect(o.origins).toHaveLength(1)
  })
  it('replication overrides min and max; defaults are 0 and an empty metadata map', () => {
    expect(parsePinOptionsQuery(new URLSearchParams('replication=-1'))).toMatchObject({ replication_factor_min: -1, replication_factor_max: -1 })
    const d = parsePinOptionsQuery(new URLSearchParams(''))
    expect(d).toMatchObject({ replication_factor_min: 0, replication_factor_max: 0, mode: 'recursive', metadata: {}, user_allocations: null })
  })
  it("rejects bad values with upstream's messages", () => {
    expect(() => parsePinOptionsQuery(new URLSearchParams('replication-min=two'))).toThrow('parameter replication-min invalid')
    expect(() => parsePinOptionsQuery(new URLSearchParams('replication-max=-5'))).toThrow(/parameter replication-max invalid/)
    expect(() => parsePinOptionsQuery(new URLSearchParams('shard-size=-1'))).toThrow('parameter shard_size is invalid')
    expect(() => parsePinOptionsQuery(new URLSearchParams('expire-at=tomorrow'))).toThrow(/expire-at cannot be parsed/)
    expect(() => parsePinOptionsQuery(new URLSearchParams('expire-in=10ms'))).toThrow('expire-in duration too short')
    expect(() => parsePinOptionsQuery(new URLSearchParams('origins=/ip4/1.2.3.4/tcp/1'))).toThrow(/must contain \/p2p/)
    expect(() => parsePinOptionsQuery(new URLSearchParams('pin-update=zzz'))).toThrow(/error decoding Cid/)
  })
  it('round-trips through the client serialisation', () => {
    const o = parsePinOptionsQuery(new URLSearchParams('name=x&replication-min=1&replication-max=2&meta-a=b'))
    expect(parsePinOptionsQuery(pinOptionsToQuery(o))).toMatchObject({ name: 'x', replication_factor_min: 1, replication_factor_max: 2, metadata: { a: 'b' } })
  })
  it('newPin sets type, depth and timestamp', () => {
    const p = newPin(
      'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6',
      parsePinOptionsQuery(new URLSearchParams('mode=direct')),
      Date.UTC(2026, 4, 11, 8, 17, 41),
    )
    expect(p).toMatchObject({ type: 'pin', max_depth: 0, allocations: [], reference: null, timestamp: '2026-05-11T08:17:41Z' })
  })
})

describe('parseCid', () => {
  it('accepts v0, base32 v1 and other multibases', () => {
    expect(parseCid('QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6').version).toBe(0)
    expect(parseCid('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi').version).toBe(1)
    const b = parseCid('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')
    expect(parseCid(b.toString(await_base58())).equals(b)).toBe(true)
  })
  it('rejects garbage', () => {
    expect(() => parseCid('not-a-cid')).toThrow(/error decoding Cid/)
    expect(() => parseCid('')).toThrow(/error decoding Cid/)
  })
  it('answers repeated and many distinct strings correctly (recent parses are remembered, bounded)', () => {
    const v1 = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
    expect(parseCid(v1)).toBe(parseCid(v1))
    expect(() => parseCid('not-a-cid')).toThrow(/error decoding Cid/)
    expect(() => parseCid('not-a-cid')).toThrow(/error decoding Cid/)
    // 10 000 distinct CIDs (raw codec, identity digest of the counter): more than both generations hold
    const cids = Array.from({ length: 10_000 }, (_, i) => {
      const digest = new TextEncoder().encode(`n${i}`)
      return CID.createV1(0x55, { code: 0, size: digest.length, digest, bytes: new Uint8Array([0, digest.length, ...digest]) }).toString()
    })
    for (const c of cids) expect(parseCid(c).toString()).toBe(c)
    for (const c of [...cids].reverse()) expect(parseCid(c).toString()).toBe(c)
    expect(parseCid(v1).toString()).toBe(v1)
  })
})

function await_base58() {
  // base58btc 'z' prefix encoder for CIDv1
  return { encode: (bytes: Uint8Array) => `z${base58(bytes)}` } as never
}

function base58(bytes: Uint8Array): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  let n = 0n
  for (const b of bytes) n = n * 256n + BigInt(b)
  let out = ''
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out
    n /= 58n
  }
  for (const b of bytes) {
    if (b !== 0) break
    out = `1${out}`
  }
  return out
}
