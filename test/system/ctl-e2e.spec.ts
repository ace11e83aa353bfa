/**
 * pinmesh-ctl end to end: the built CLI (apps/ctl/dist/bin.js) as a separate process against a
 * live peer process. Text output is what a person reads; `--enc json` must parse. (The 3-peer
 * cluster case is ctl-cluster.spec.ts.)
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeGlobalPinInfo, decodeId, decodePin } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ctl, jsonObjects } from '../helpers/ctl.js'
import { type PeerProcess, startPeer, tempDir } from '../helpers/peer.js'
import { freePort } from '../helpers/ports.js'
import { wire } from './api-wire.js'

const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
const CID2 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'

describe('pinmesh-ctl against a live peer', () => {
  let peer: PeerProcess
  let host: string[]

  beforeAll(async () => {
    peer = await startPeer({ env: { CLUSTER_PEERNAME: 'ctl-peer' } })
    host = ['--host', `/ip4/127.0.0.1/tcp/${peer.apiPort}`]
  })
  afterAll(async () => {
    await peer?.stop()
  })

  it('prints help for every command and exits 0', async () => {
    const root = await ctl(['--help'])
    expect(root.code).toBe(0)
    const commands = (await ctl(['commands'])).stdout.trim().split('\n')
    expect(commands).toContain('pinmesh-ctl pin add')
    expect(commands).toContain('pinmesh-ctl health graph')
    const helps = await Promise.all(commands.map((line) => ctl([...line.replace(/^pinmesh-ctl /, '').split(' '), '--help'])))
    for (const [i, line] of commands.entries()) {
      expect(helps[i]?.code, line).toBe(0)
      expect(helps[i]?.stdout, line).toContain(line)
    }
    expect((await ctl([])).code).toBe(1)
    expect((await ctl(['bogus'])).code).toBe(1)
    expect((await ctl(['--enc', 'xml', 'id'])).code).toBe(1)
  })

  it('id and version in text and json', async () => {
    const text = await ctl([...host, 'id'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^12D3Koo\w+ \| ctl-peer \| Sees 0 other peers\n {2}> Addresses:\n {4}- \/ip4\/127\.0\.0\.1\/tcp\//)
    expect(text.stdout).toMatch(/\n {2}> IPFS: \w+/)
    const json = await ctl([...host, '--enc', 'json', 'id'])
    expect(decodeId(JSON.parse(json.stdout)).peername).toBe('ctl-peer')
    expect(json.stdout).toContain('\n    "id": ')
    expect((await ctl([...host, 'version'])).stdout).toBe('1.1.6\n')
    const peers = await ctl([...host, 'peers', 'ls'])
    expect(peers.stdout).toMatch(/\| ctl-peer \| Sees 0 other peers/)
  })

  it('pin add, pin ls, status (with --filter), recover, pin rm', async () => {
    const add = await ctl([...host, 'pin', 'add', '--name', 'site', '--metadata', 'owner=alice', CID])
    expect(add.code, add.stderr).toBe(0)
    expect(add.stdout).toMatch(
      new RegExp(`^${CID} \\| site:\\n {4}> ctl-peer {12} : (PINNING|PINNED|PIN_QUEUED) \\| .+ \\| Attempts: \\d+ \\| Priority: (true|false)\\n$`),
    )
    const ls = await ctl([...host, 'pin', 'ls'])
    expect(ls.stdout).toMatch(
      new RegExp(
        `^${CID} \\| site \\| PIN \\| Repl. Factor: -1 \\| Allocations: \\[everywhere\\] \\| Recursive \\| Metadata: yes \\| Exp: ∞ \\| Added: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\n$`,
      ),
    )
    const lsJson = await ctl([...host, '--enc', 'json', 'pin', 'ls', CID])
    expect(decodePin(JSON.parse(lsJson.stdout))).toMatchObject({ cid: CID, name: 'site', metadata: { owner: 'alice' } })
    await ctl([...host, 'pin', 'add', '--no-status', '--mode', 'direct', CID2])
    const all = await ctl([...host, '--enc', 'json', 'status'])
    const infos = jsonObjects(all.stdout).map((o) => decodeGlobalPinInfo(o))
    expect(infos.map((i) => i.cid).sort()).toEqual([CID, CID2].sort())
    const filtered = await ctl([...host, 'status', '--filter', 'pinned'])
    expect(filtered.code).toBe(0)
    const badFilter = await ctl([...host, 'status', '--filter', 'bogus'])
    expect(badFilter.code).toBe(1)
    expect(badFilter.stderr).toMatch(/--filter: invalid filter value/)
    const one = await ctl([...host, 'status', CID])
    expect(one.stdout.startsWith(`${CID} | site:`)).toBe(true)
    const rec = await ctl([...host, 'recover', CID])
    expect(rec.code).toBe(0)
    expect(rec.stdout.startsWith(`${CID} | site:`)).toBe(true)
    const rm = await ctl([...host, 'pin', 'rm', '--no-status', CID])
    expect(rm.code).toBe(0)
    const gone = await ctl([...host, 'pin', 'ls', CID])
    expect(gone.code).toBe(2)
    expect(gone.stderr).toBe('An error occurred:\n  Code: 404\n  Message: pin is not part of the pinset\n')
    await ctl([...host, 'pin', 'rm', '--no-status', CID2])
  })

  it('API errors exit 2, local and transport errors exit 1', async () => {
    const bad = await ctl([...host, 'pin', 'add', 'not-a-cid'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^An error occurred:\n {2}Code: 400\n {2}Message: error parsing path/)
    const rmPeer = await ctl([...host, 'peers', 'rm', 'nope'])
    expect(rmPeer.code).toBe(1)
    const down = await ctl(['--host', `/ip4/127.0.0.1/tcp/${await freePort()}`, 'id'])
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/^error id: GET \/id: .*ECONNREFUSED/)
    const unknownFlag = await ctl([...host, 'pin', 'add', '--bogus', CID])
    expect(unknownFlag.code).toBe(1)
    const failover = await ctl(['--host', `/ip4/127.0.0.1/tcp/${await freePort()},/ip4/127.0.0.1/tcp/${peer.apiPort}`, 'version'])
    expect(failover.stdout).toBe('1.1.6\n')
  })

  it('health graph (dot), metrics, alerts', async () => {
    const graph = await ctl([...host, 'health', 'graph'])
    expect(graph.code).toBe(0)
    expect(graph.stdout).toMatch(/^digraph cluster \{\n/)
    expect(graph.stdout).toMatch(/ {2}C0 \[label="ctl-peer\\n.+ \(this peer\)"/)
    expect(graph.stdout.trimEnd().endsWith('}')).toBe(true)
    const graphJson = await ctl([...host, '--enc', 'json', 'health', 'graph'])
    expect(Object.keys(JSON.parse(graphJson.stdout) as object)).toEqual([
      'cluster_id',
      'id_to_peername',
      'ipfs_links',
      'cluster_links',
      'cluster_trust_links',
      'cluster_to_ipfs',
    ])
    expect((await ctl([...host, 'health', 'metrics'])).code).toBe(0)
    expect((await ctl([...host, 'health', 'alerts'])).code).toBe(0)
    expect(JSON.parse((await ctl([...host, '--enc', 'json', 'health', 'alerts'])).stdout)).toEqual([])
  })

  it('add: adds a file (Kubo-identical CID) or reports the route as not implemented', async () => {
    const dir = await tempDir('pinmesh-ctl-add-')
    const file = join(dir, 'hello.txt')
    await writeFile(file, 'hello world\n')
    const probe = await wire('POST', `${peer.api}/add`, { body: '' })
    const res = await ctl([...host, 'add', file])
    if (probe.status === 501) {
      expect(res.code).toBe(2)
      expect(res.stderr).toMatch(/Code: 501/)
    } else {
      expect(res.code, res.stderr).toBe(0)
      // `ipfs add` of "hello world\n" with Kubo's defaults.
      expect(res.stdout).toBe('added QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o hello.txt\n')
    }
  })
})
