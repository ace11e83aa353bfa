/**
 * Orchestration benchmarks on a 3-peer cluster of real processes with embedded IPFS nodes:
 *
 * 1. N new pins (local blocks, seeded into every peer's blockstore) submitted over REST with
 *    replication 2, until every allocated peer reports them `pinned`; compared with pinning the
 *    same number of local blocks by calling one embedded IPFS node's pin API directly.
 * 2. Re-pinning: one allocated peer is killed (SIGKILL); time from its death until every pin it
 *    held is allocated to and `pinned` on the two remaining peers (includes the failure detection
 *    time, ping TTL + check interval, and the grace period, printed separately).
 *
 *   npx tsx test/bench/orchestration.ts --pins 10000
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHeliaConnector } from '@pinmesh/ipfs-connector'
import { FsBlockstore } from 'blockstore-fs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { startOrchestrationCluster } from '../helpers/orchestration.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback)
}

const total = arg('pins', 10_000)
const GRACE_MS = 2000

async function blocksFor(prefix: string): Promise<{ cid: CID; bytes: Uint8Array }[]> {
  const out = []
  for (let i = 0; i < total; i++) {
    const bytes = new TextEncoder().encode(`${prefix} ${i}`)
    out.push({ cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes })
  }
  return out
}

async function seed(dir: string, blocks: { cid: CID; bytes: Uint8Array }[]): Promise<void> {
  const store = new FsBlockstore(join(dir, 'ipfs', 'blocks'))
  await store.open()
  for (let i = 0; i < blocks.length; i += 256) await Promise.all(blocks.slice(i, i + 256).map((b) => store.put(b.cid, b.bytes)))
  await store.close()
}

async function countLocal(api: string, filter: string): Promise<number> {
  const res = await fetch(`${api}/pins?local=true&filter=${filter}`)
  if (res.status === 204) return 0
  const text = await res.text()
  return text.split('\n').filter((l) => l.trim() !== '').length
}

async function until(fn: () => Promise<boolean>, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 1000))
  }
}

// --- baseline: the IPFS node's own pin API, 10 calls in flight (the tracker's concurrent_pins)
const baseDir = await mkdtemp(join(tmpdir(), 'pinmesh-bench-direct-'))
const helia = await createHeliaConnector({ path: join(baseDir, 'ipfs') })
await helia.start()
const direct = await blocksFor(`direct ${baseDir}`)
for (const b of direct) await helia.blockPut(b.bytes)
let t0 = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (next < total) await helia.pin((direct[next++] as { cid: CID }).cid.toString())
  }),
)
const directSecs = (performance.now() - t0) / 1000
await helia.stop()
await rm(baseDir, { recursive: true, force: true })

// --- the cluster
const cluster = await startOrchestrationCluster(
  {
    CLUSTER_DISABLEREPINNING: 'false',
    CLUSTER_REPINGRACEPERIOD: `${GRACE_MS}ms`,
    CLUSTER_REPINRATE: '100000',
    CLUSTER_REPLICATIONFACTORMIN: '2',
    CLUSTER_REPLICATIONFACTORMAX: '2',
  },
  [{}, {}, {}],
  ['ping', 'freespace', 'tag:group'],
)
try {
  const blocks = await blocksFor(`cluster ${Date.now()}`)
  for (const p of cluster.peers) await seed(p.dir, blocks)
  const api = cluster.peers[0]?.api as string
  t0 = performance.now()
  let i = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (i < total) {
        const cid = (blocks[i++] as { cid: CID }).cid.toString()
        const res = await fetch(`${api}/pins/${cid}`, { method: 'POST' })
        if (res.status !== 200) throw new Error(`pin ${cid}: ${res.status} ${await res.text()}`)
        await res.arrayBuffer()
      }
    }),
  )
  const ackSecs = (performance.now() - t0) / 1000
  await until(
    async () => {
      const counts = await Promise.all(cluster.peers.map((p) => countLocal(p.api, 'pinned')))
      return counts.reduce((a, b) => a + b, 0) === 2 * total
    },
    600_000,
    'every allocation pinned',
  )
  const clusterSecs = (performance.now() - t0) / 1000

  // --- re-pinning after SIGKILL of peer 2
  const dead = cluster.ids[2] as string
  const held = await countLocal(cluster.peers[2]?.api as string, 'pinned')
  t0 = performance.now()
  await cluster.peers[2]?.kill()
  await until(
    async () => {
      const counts = await Promise.all(cluster.peers.slice(0, 2).map((p) => countLocal(p.api, 'pinned')))
      return counts[0] === total && counts[1] === total
    },
    600_000,
    'replication restored on the two live peers',
  )
  const repinSecs = (performance.now() - t0) / 1000

  const rate = (n: number, s: number) => `${Math.round(n / s)} pins/s`
  console.log(`orchestration bench: 3 peer processes, embedded Helia, ${total} local raw blocks, replication 2 (${2 * total} IPFS pins)`)
  console.log(`  one IPFS node's pin API directly     : ${rate(total, directSecs)} (${directSecs.toFixed(1)} s for ${total})`)
  console.log(`  cluster, POST acknowledged           : ${rate(total, ackSecs)} (${ackSecs.toFixed(1)} s)`)
  console.log(
    `  cluster, all allocations pinned      : ${rate(total, clusterSecs)} of cluster pins, ${rate(2 * total, clusterSecs)} of IPFS pins (${clusterSecs.toFixed(1)} s); ratio (IPFS pins/s vs one node direct) ${((2 * total) / clusterSecs / (total / directSecs)).toFixed(2)}`,
  )
  console.log(
    `  re-pinning ${held} pins of a SIGKILLed peer: ${repinSecs.toFixed(1)} s until replication restored (includes ~2.5 s failure detection + ${GRACE_MS / 1000} s grace); ${dead}`,
  )
} finally {
  await cluster.destroy()
}
