import { describe, expect, it } from 'vitest'
import { formatGraphDot, formatPin, formatStatus, humanizeBytes, humanizeTime } from '../src/format.js'
import { clientConfig, parseGlobals, UsageError } from '../src/globals.js'

const A = '12D3KooWAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const B = '12D3KooWBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

describe('ctl text formats', () => {
  it('pin ls line', () => {
    const line = formatPin({
      replication_factor_min: 1,
      replication_factor_max: 2,
      name: 'site',
      mode: 'recursive',
      shard_size: 0,
      user_allocations: null,
      expire_at: '0001-01-01T00:00:00Z',
      metadata: null,
      pin_update: null,
      origins: [],
      cid: 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
      type: 'pin',
      allocations: [B, A],
      max_depth: -1,
      reference: null,
      timestamp: '2026-05-11T10:17:41Z',
    })
    expect(line).toBe(
      `QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG | site | PIN | Repl. Factor: 1--2 | Allocations: [${A} ${B}] | Recursive | Metadata: no | Exp: ∞ | Added: 2026-05-11 10:17:41\n`,
    )
  })

  it('status block sorted by peer', () => {
    const text = formatStatus({
      cid: 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
      name: '',
      allocations: [],
      origins: [],
      created: '2026-05-11T10:17:41Z',
      metadata: null,
      peer_map: {
        [B]: { peername: 'b', status: 'pin_error', timestamp: 'T', error: 'boom', attempt_count: 3, priority_pin: false },
        [A]: { peername: 'a', status: 'pinned', timestamp: 'T', error: '', attempt_count: 0, priority_pin: true },
      },
    })
    expect(text).toBe(
      'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG:\n    > a                    : PINNED | T | Attempts: 0 | Priority: true\n    > b                    : PIN_ERROR: boom | T | Attempts: 3 | Priority: false\n',
    )
  })

  it('graph in dot with this peer as C0', () => {
    const dot = formatGraphDot({
      cluster_id: B,
      id_to_peername: { [A]: 'a', [B]: 'b' },
      ipfs_links: { I1: ['I2'] },
      cluster_links: { [A]: [B], [B]: [A] },
      cluster_trust_links: { [A]: true },
      cluster_to_ipfs: { [A]: 'I1', [B]: 'I2' },
    })
    expect(dot).toMatch(/^digraph cluster \{/)
    expect(dot).toContain('C0 [label="b\\n12D3…bbbbbb (this peer)"')
    expect(dot).toContain('  C0 -> C1\n')
    expect(dot).toContain('  C1 -> C0\n')
    expect(dot).toContain('  C0 -> I1 [style=dashed]')
    expect(dot).toContain('  I0 -> I1\n')
  })

  it('humanizes', () => {
    expect(humanizeBytes(53687091200)).toBe('54 GB')
    expect(humanizeTime(Date.now() + 29_500)).toBe('29 seconds from now')
    expect(humanizeTime(Date.now() - 120_000)).toBe('2 minutes ago')
  })
})

describe('ctl global flags', () => {
  it('parses hosts, encoding, auth and keeps the command', () => {
    const { globals, rest } = parseGlobals(
      ['-l', '/ip4/1.2.3.4/tcp/9094,/ip4/5.6.7.8/tcp/9094', '--enc=json', '--basic-auth', 'u:p:w', 'pin', 'add', '-r', '2'],
      {},
    )
    expect(rest).toEqual(['pin', 'add', '-r', '2'])
    expect(globals.hosts).toHaveLength(2)
    expect(globals.encoding).toBe('json')
    const c = clientConfig(globals)
    expect(c).toMatchObject({ username: 'u', password: 'p:w', https: true })
    expect(clientConfig(parseGlobals(['--basic-auth', 'u', '-f', 'id'], {}).globals).https).toBe(false)
    expect(parseGlobals(['id'], { CLUSTER_CREDENTIALS: 'x:y' }).globals.basicAuth).toBe('x:y')
  })
  it('refuses bad global flags with a message', () => {
    expect(() => parseGlobals(['--enc', 'xml', 'id'], {})).toThrow(UsageError)
    expect(() => parseGlobals(['--timeout', 'soon', 'id'], {})).toThrow(/whole number of seconds/)
    expect(() => parseGlobals(['--bogus', 'id'], {})).toThrow(/unknown global flag --bogus/)
    expect(() => parseGlobals(['--secret', 'abc', 'id'], {})).toThrow(/libp2p-http/)
  })
})
