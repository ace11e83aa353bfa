/**
 * Crash safety with real processes: a 3-peer cluster takes sustained writes through the REST API
 * of peer B and peer A; B is killed with SIGKILL in the middle of them.
 *
 * - Every pin B acknowledged (HTTP 200) is in B's folder: `pinmesh state export` on the folder
 *   the crash left (no network, nothing could have come from the other peers) lists them all.
 * - After a restart B catches up with what A wrote while it was down, and all three peers list
 *   the same pinset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPinmesh } from '../helpers/ops-cli.js'
import { listingDigest, startWriter } from '../helpers/ops-pins.js'
import { createTestCluster, type PeerProcess, type TestCluster } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

describe('SIGKILL during sustained writes (3 real peers)', () => {
  let cluster: TestCluster

  beforeAll(async () => {
    cluster = await createTestCluster({ peers: 3 })
    await waitFor(
      async () => {
        const res = await fetch(`${cluster.peers[0]?.api}/id`)
        const id = (await res.json()) as { cluster_peers: string[] }
        return id.cluster_peers.length === 3
      },
      { timeout: 60_000, message: 'three peers joined' },
    )
  })

  afterAll(async () => {
    await cluster?.destroy()
  })

  it('keeps every acknowledged pin and catches up after a restart', async () => {
    const [a, b, c] = cluster.peers as [PeerProcess, PeerProcess, PeerProcess]
    const onB = startWriter(b.api, 'crash-b', { concurrency: 8 })
    const onA = startWriter(a.api, 'crash-a', { concurrency: 2, pause: 20 })
    await waitFor(() => onB.acked.size >= 300, { timeout: 120_000, message: 'B acknowledged 300 pins' })

    // Killed with requests in flight.
    const inFlightAtKill = onB.inFlight
    expect(await b.kill()).toBe(null)
    expect(inFlightAtKill).toBeGreaterThan(0)
    await onB.stop()
    expect(onB.rejected).toEqual([])
    const ackedOnB = new Set(onB.acked)
    const sizeAtKill = onA.acked.size
    // A keeps taking writes while B is down.
    await waitFor(() => onA.acked.size >= sizeAtKill + 100, { timeout: 60_000, message: 'A acknowledged 100 more pins while B was down' })
    await onA.stop()
    expect(onA.rejected).toEqual([])

    // Durable on B's own disk: read the folder the crash left, offline.
    const exported = await runPinmesh(['-c', b.dir, 'state', 'export'])
    expect(exported.code, exported.stderr).toBe(0)
    const onDisk = new Set(
      exported.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { cid: string }).cid),
    )
    const lost = [...ackedOnB].filter((cid) => !onDisk.has(cid))
    expect(lost, `${lost.length} of ${ackedOnB.size} acknowledged pins missing from B's state after SIGKILL`).toEqual([])

    // Restarted, B catches up with A's writes; all three list the same pinset.
    await b.restart()
    const wanted = [...ackedOnB, ...onA.acked]
    await waitFor(
      async () => {
        const digests = await Promise.all([a, b, c].map((p) => listingDigest(p.api)))
        return digests.every((d) => d.digest === digests[0]?.digest) && (digests[0]?.size ?? 0) >= wanted.length
      },
      { timeout: 60_000, interval: 500, message: 'equal pinsets on A, B and C after B restarted' },
    )
    const listed = await (await fetch(`${b.api}/allocations`)).text()
    const missing = wanted.filter((cid) => !listed.includes(`"cid":"${cid}"`))
    expect(missing).toEqual([])
  })
})
