/**
 * Re-pinning end to end with real peer processes: a peer that blips (SIGSTOP, then SIGCONT)
 * for less than the grace period moves nothing, although its alert fired; a peer killed with
 * SIGKILL has its pins re-allocated to the remaining peer, which pins them, and statuses say so.
 *
 * Timings (env): pings every 1 s (TTL 2 s), alert checks every 500 ms, grace period 6 s —
 * a silent peer is alerted after ~2–2.5 s and its pins move ~6 s later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocationOf, globalStatus, type OrchestrationCluster, pinVia, seedBlock, startOrchestrationCluster, statuses } from '../helpers/orchestration.js'
import { waitFor } from '../helpers/wait.js'

const GRACE_MS = 6000

describe('re-pinning when a peer dies (real processes, embedded IPFS)', () => {
  let cluster: OrchestrationCluster
  const cids: string[] = []

  beforeAll(async () => {
    cluster = await startOrchestrationCluster(
      {
        CLUSTER_DISABLEREPINNING: 'false',
        CLUSTER_REPINGRACEPERIOD: `${GRACE_MS}ms`,
        CLUSTER_REPLICATIONFACTORMIN: '2',
        CLUSTER_REPLICATIONFACTORMAX: '2',
      },
      [{}, {}, {}],
      ['ping', 'freespace', 'tag:group'],
    )
    const api = cluster.peers[0]?.api as string
    for (let i = 0; i < 6; i++) {
      const cid = await seedBlock(
        cluster.peers.map((p) => p.dir),
        `repin ${i} ${Date.now()}`,
      )
      await pinVia(api, cid)
      cids.push(cid)
    }
    for (const cid of cids) {
      await waitFor(async () => Object.values(statuses(await globalStatus(api, cid))).filter((s) => s === 'pinned').length === 2, {
        timeout: 30_000,
        message: `${cid} pinned twice`,
      })
    }
  })

  afterAll(async () => {
    for (const p of cluster?.peers ?? []) if (p.proc.signalCode === null && p.proc.exitCode === null) p.proc.kill('SIGCONT')
    await cluster?.destroy()
  })

  /** The peer (index ≥ 1, so peer 0 keeps answering) holding the most of our pins. */
  async function busiestPeer(): Promise<number> {
    const api = cluster.peers[0]?.api as string
    const counts = cluster.ids.map(() => 0)
    for (const cid of cids)
      for (const a of (await allocationOf(api, cid)).allocations) {
        const i = cluster.ids.indexOf(a)
        counts[i] = (counts[i] ?? 0) + 1
      }
    return (counts[1] ?? 0) >= (counts[2] ?? 0) ? 1 : 2
  }

  it('a blip shorter than the grace period moves nothing', async () => {
    const api = cluster.peers[0]?.api as string
    const victim = await busiestPeer()
    const before = await Promise.all(cids.map(async (cid) => (await allocationOf(api, cid)).allocations.join()))
    const proc = cluster.peers[victim]?.proc
    proc?.kill('SIGSTOP')
    try {
      // Its ping expires and the alert fires...
      await waitFor(
        async () => {
          const alerts = (await (await fetch(`${api}/health/alerts`)).json()) as { name: string; peer: string }[] | null
          return (alerts ?? []).some((a) => a.name === 'ping' && a.peer === cluster.ids[victim])
        },
        { timeout: 15_000, message: 'ping alert for the stopped peer' },
      )
    } finally {
      // ...but it is back well within the grace period.
      proc?.kill('SIGCONT')
    }
    await waitFor(async () => (((await (await fetch(`${api}/monitor/metrics/ping`)).json()) as unknown[] | null) ?? []).length === 3, {
      timeout: 10_000,
      message: 'the peer pings again',
    })
    await new Promise((r) => setTimeout(r, GRACE_MS + 2000))
    const after = await Promise.all(cids.map(async (cid) => (await allocationOf(api, cid)).allocations.join()))
    expect(after).toEqual(before)
  })

  it('SIGKILL an allocated peer: its pins move to the remaining peer, which pins them', async () => {
    const api = cluster.peers[0]?.api as string
    const victim = await busiestPeer()
    const dead = cluster.ids[victim] as string
    const moved = []
    for (const cid of cids) if ((await allocationOf(api, cid)).allocations.includes(dead)) moved.push(cid)
    expect(moved.length).toBeGreaterThan(0)
    await cluster.peers[victim]?.kill()
    const alive = cluster.ids.filter((id) => id !== dead)
    for (const cid of moved) {
      await waitFor(
        async () => {
          const allocations = (await allocationOf(api, cid)).allocations
          return allocations.length === 2 && alive.every((id) => allocations.includes(id))
        },
        { timeout: 30_000, message: `${cid} re-allocated to the two live peers` },
      )
    }
    for (const cid of cids) {
      const s = await waitFor(
        async () => {
          const st = statuses(await globalStatus(api, cid))
          return alive.every((id) => st[id] === 'pinned') ? st : undefined
        },
        { timeout: 30_000, message: `${cid} pinned on both live peers` },
      )
      expect(s[dead]).not.toBe('pinned')
    }
  })
})
