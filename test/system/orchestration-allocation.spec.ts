/**
 * Allocation end to end: three real peer processes with embedded IPFS nodes. A pin with
 * replication 2 is pinned by exactly two IPFS nodes and the third reports `remote`; a pin with
 * -1 is pinned by all three; with `region` tags, factor 2 lands in two different regions.
 * (Blocks are seeded into every peer's blockstore so pinning never depends on fetching.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocationOf, globalStatus, type OrchestrationCluster, pinVia, seedBlock, startOrchestrationCluster, statuses } from '../helpers/orchestration.js'
import { waitFor } from '../helpers/wait.js'

describe('allocation over three peers (real processes, embedded IPFS)', () => {
  let cluster: OrchestrationCluster

  beforeAll(async () => {
    cluster = await startOrchestrationCluster({}, [{}, {}, {}], ['freespace', 'tag:group'])
  })

  afterAll(async () => {
    await cluster?.destroy()
  })

  it('replication 2: exactly two peers pin it, the third reports remote', async () => {
    const api = cluster.peers[0]?.api as string
    const cid = await seedBlock(
      cluster.peers.map((p) => p.dir),
      `two of three ${Date.now()}`,
    )
    const pin = await pinVia(api, cid, '?replication-min=2&replication-max=2')
    expect(pin.allocations).toHaveLength(2)
    expect(new Set(pin.allocations).size).toBe(2)
    for (const a of pin.allocations) expect(cluster.ids).toContain(a)
    const third = cluster.ids.find((id) => !pin.allocations.includes(id)) as string

    const settled = await waitFor(
      async () => {
        const s = statuses(await globalStatus(api, cid))
        return pin.allocations.every((a) => s[a] === 'pinned') && s[third] === 'remote' ? s : undefined
      },
      { timeout: 30_000, message: 'two pinned, one remote' },
    )
    expect(Object.values(settled).sort()).toEqual(['pinned', 'pinned', 'remote'])
    // Every peer agrees on the allocation (it travelled through the pinset).
    for (const p of cluster.peers) {
      await waitFor(async () => (await allocationOf(p.api, cid)).allocations.join() === pin.allocations.join(), {
        timeout: 10_000,
        message: `allocation visible at ${p.api}`,
      })
    }
    // The third peer's own view: remote, and its IPFS node was never asked to pin.
    const local = await (await fetch(`${cluster.peers[cluster.ids.indexOf(third)]?.api}/pins/${cid}?local=true`)).json()
    expect((local as { peer_map: Record<string, { status: string }> }).peer_map[third]?.status).toBe('remote')
  })

  it('replication -1: all three pin it', async () => {
    const api = cluster.peers[1]?.api as string
    const cid = await seedBlock(
      cluster.peers.map((p) => p.dir),
      `everywhere ${Date.now()}`,
    )
    const pin = await pinVia(api, cid, '?replication-min=-1&replication-max=-1')
    expect(pin.allocations).toEqual([])
    await waitFor(async () => Object.values(statuses(await globalStatus(api, cid))).filter((s) => s === 'pinned').length === 3, {
      timeout: 30_000,
      message: 'pinned on all three',
    })
  })

  it('more replicas than peers: an error naming the numbers, nothing stored', async () => {
    const api = cluster.peers[2]?.api as string
    const cid = await seedBlock(
      cluster.peers.map((p) => p.dir),
      `too many ${Date.now()}`,
    )
    const res = await fetch(`${api}/pins/${cid}?replication-min=4&replication-max=5`, { method: 'POST' })
    expect(res.status).toBe(500)
    expect(((await res.json()) as { message: string }).message).toBe(
      'not enough peers to allocate CID. Needed at least: 4. Wanted at most: 5. Available candidates: 3. See logs for more info.',
    )
    expect((await fetch(`${api}/allocations/${cid}`)).status).toBe(404)
  })

  it('an expired pin is removed from the pinset cluster-wide', async () => {
    const api = cluster.peers[0]?.api as string
    const cid = await seedBlock(
      cluster.peers.map((p) => p.dir),
      `expiring ${Date.now()}`,
    )
    const pin = await pinVia(api, cid, '?replication-min=2&replication-max=2&expire-in=3s')
    await waitFor(
      async () => {
        const st = statuses(await globalStatus(api, cid))
        return pin.allocations.every((a) => st[a] === 'pinned')
      },
      { timeout: 10_000, message: 'pinned before expiry' },
    )
    for (const p of cluster.peers) {
      await waitFor(async () => (await fetch(`${p.api}/allocations/${cid}`)).status === 404, {
        timeout: 30_000,
        message: `expired pin gone from the pinset at ${p.api}`,
      })
    }
    // The allocated peers unpin it from their IPFS nodes (unpin_queued → unpinning → unpinned).
    await waitFor(async () => Object.values(statuses(await globalStatus(api, cid))).every((s) => s === 'unpinned'), {
      timeout: 15_000,
      message: 'unpinned on every peer',
    })
  })

  // Last: it removes peer 3 from this cluster.
  it('user_allocations choose the peer; DELETE /peers/{id} moves its pins to another peer, which pins them', async () => {
    const api = cluster.peers[0]?.api as string
    const victim = cluster.ids[2] as string
    const cid = await seedBlock(
      cluster.peers.map((p) => p.dir),
      `removed peer ${Date.now()}`,
    )
    const pin = await pinVia(api, cid, `?replication-min=1&replication-max=1&user-allocations=${victim}`)
    expect(pin.allocations).toEqual([victim])
    await waitFor(async () => statuses(await globalStatus(api, cid))[victim] === 'pinned', { timeout: 30_000, message: 'pinned on the chosen peer' })

    const res = await fetch(`${api}/peers/${victim}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    const moved = await waitFor(
      async () => {
        const a = (await allocationOf(api, cid)).allocations
        return a.length === 1 && a[0] !== victim ? a[0] : undefined
      },
      { timeout: 30_000, message: 'pin re-allocated away from the removed peer' },
    )
    expect(cluster.ids.slice(0, 2)).toContain(moved)
    await waitFor(async () => statuses(await globalStatus(api, cid))[moved] === 'pinned', { timeout: 30_000, message: 'pinned on the new peer' })
  })
})

describe('allocation by region tags (real processes)', () => {
  let cluster: OrchestrationCluster
  const regions = ['eu', 'eu', 'us']

  beforeAll(async () => {
    cluster = await startOrchestrationCluster(
      { CLUSTER_BALANCED_ALLOCATEBY: 'tag:region,freespace' },
      regions.map((r) => ({ CLUSTER_TAGS_TAGS: JSON.stringify({ region: r }) })),
      ['tag:region', 'freespace'],
    )
  })

  afterAll(async () => {
    await cluster?.destroy()
  })

  it('factor 2 lands in two different regions, every time', async () => {
    const api = cluster.peers[0]?.api as string
    const us = cluster.ids[2] as string
    for (let i = 0; i < 6; i++) {
      const cid = await seedBlock(
        cluster.peers.map((p) => p.dir),
        `regions ${i} ${Date.now()}`,
      )
      const pin = await pinVia(api, cid, '?replication-min=2&replication-max=2')
      const pinRegions = pin.allocations.map((a) => regions[cluster.ids.indexOf(a)])
      expect(new Set(pinRegions)).toEqual(new Set(['eu', 'us']))
      expect(pin.allocations).toContain(us)
    }
  })
})
