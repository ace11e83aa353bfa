/**
 * pinmesh-ctl end to end against a live 3-peer cluster (real daemons joined with --bootstrap):
 * peers ls, pin add on one peer / global status (every member answers over RPC) / the pin seen
 * from the other peers once the pinset replicates / recover / pin rm, health
 * graph of all three, `--enc json` parseable, fail-over across `--host` addresses.
 */
import { decodeGlobalPinInfo, decodeId } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ctl, jsonObjects } from '../helpers/ctl.js'
import { createTestCluster, type TestCluster } from '../helpers/peer.js'
import { freePort } from '../helpers/ports.js'
import { waitFor } from '../helpers/wait.js'

const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
const FAST = { CLUSTER_MONITORPINGINTERVAL: '1s', CLUSTER_PUBSUBMON_CHECKINTERVAL: '1s' }

describe('pinmesh-ctl against a 3-peer cluster', () => {
  let cluster: TestCluster
  const host = (i: number) => ['--host', `/ip4/127.0.0.1/tcp/${cluster.peers[i]?.apiPort}`]

  beforeAll(async () => {
    cluster = await createTestCluster({ peers: 3, env: FAST })
    await waitFor(async () => (await ctl([...host(0), '--enc', 'json', 'peers', 'ls'])).stdout.split('\n{').length === 3, {
      timeout: 30_000,
      message: 'peer 0 to list three peers',
    })
  })
  afterAll(async () => {
    await cluster?.destroy()
  })

  it('peers ls and id see the whole cluster', async () => {
    const ls = await ctl([...host(0), '--enc', 'json', 'peers', 'ls'])
    const ids = jsonObjects(ls.stdout).map((o) => decodeId(o))
    expect(ids.map((i) => i.id).sort()).toEqual([...cluster.ids].sort())
    expect(ids.every((i) => i.error === '')).toBe(true)
    const text = await ctl([...host(1), 'id'])
    expect(text.stdout).toMatch(/\| Sees 2 other peers\n/)
  })

  it('pin add, global status over every member, recover, pin rm', async () => {
    const add = await ctl([...host(0), 'pin', 'add', '--name', 'cluster-site', '--no-status', CID])
    expect(add.code, add.stderr).toBe(0)
    // The global status asks every member: one peer_map entry per cluster peer.
    const status = await ctl([...host(0), '--enc', 'json', 'status', CID])
    expect(status.code, status.stderr).toBe(0)
    const g = decodeGlobalPinInfo(JSON.parse(status.stdout))
    expect(Object.keys(g.peer_map).sort()).toEqual([...cluster.ids].sort())
    expect(['pin_queued', 'pinning', 'pinned']).toContain(g.peer_map[cluster.ids[0] as string]?.status)
    const text = await ctl([...host(0), 'status', CID])
    expect(text.stdout.split('\n').filter((l) => l.startsWith('    > '))).toHaveLength(3)
    const all = await ctl([...host(0), '--enc', 'json', 'status'])
    const listed = jsonObjects(all.stdout).map((o) => decodeGlobalPinInfo(o))
    expect(listed.map((i) => i.cid)).toEqual([CID])
    // The pinset replicates: the other peers list the pin and report it cluster-wide.
    for (const i of [1, 2]) {
      await waitFor(
        async () => {
          const r = await ctl([...host(i), '--enc', 'json', 'status', CID])
          return r.code === 0 && decodeGlobalPinInfo(JSON.parse(r.stdout)).name === 'cluster-site'
        },
        { timeout: 30_000, message: `peer ${i} to report the pin made on peer 0` },
      )
      expect((await ctl([...host(i), 'pin', 'ls'])).stdout).toContain(`${CID} | cluster-site | PIN |`)
    }
    const rec = await ctl([...host(0), 'recover', CID])
    expect(rec.code, rec.stderr).toBe(0)
    const ls = await ctl([...host(0), 'pin', 'ls'])
    expect(ls.stdout).toContain(`${CID} | cluster-site | PIN |`)
    const rm = await ctl([...host(0), 'pin', 'rm', '--no-status', CID])
    expect(rm.code, rm.stderr).toBe(0)
    const after = decodeGlobalPinInfo(JSON.parse((await ctl([...host(0), '--enc', 'json', 'status', CID])).stdout))
    expect(Object.values(after.peer_map).every((s) => ['unpinning', 'unpin_queued', 'unpinned'].includes(s.status))).toBe(true)
    expect((await ctl([...host(0), 'pin', 'ls', CID])).code).toBe(2)
    for (const i of [1, 2]) {
      await waitFor(async () => (await ctl([...host(i), 'pin', 'ls', CID])).code === 2, { timeout: 30_000, message: `peer ${i} to forget the pin` })
    }
  })

  it('health graph links the three peers; --enc json parses', async () => {
    const dot = await ctl([...host(0), 'health', 'graph'])
    expect(dot.code).toBe(0)
    for (const c of ['C0', 'C1', 'C2']) expect(dot.stdout).toContain(`  ${c} [label=`)
    expect(dot.stdout).toMatch(/ {2}C0 -> C[12]\n/)
    const json = JSON.parse((await ctl([...host(0), '--enc', 'json', 'health', 'graph'])).stdout) as { cluster_links: Record<string, string[]> }
    expect(Object.keys(json.cluster_links).sort()).toEqual([...cluster.ids].sort())
  })

  it('fails over to the next --host address', async () => {
    const dead = `/ip4/127.0.0.1/tcp/${await freePort()}`
    const res = await ctl(['--host', `${dead},/ip4/127.0.0.1/tcp/${cluster.peers[2]?.apiPort}`, '--enc', 'json', 'id'])
    expect(decodeId(JSON.parse(res.stdout)).id).toBe(cluster.ids[2])
  })
})
