/**
 * IPFS benchmarks (`npm run bench`): figures, not tests.
 *
 * 1. Pins/s into Kubo for blocks Kubo already holds, each way timed until Kubo has every pin:
 *    a. Kubo's `pin/add` called directly, one CID per request, BENCH_CONCURRENCY at once (what a
 *       user pinning a list with the same concurrency does) — the baseline;
 *    b. the same with BENCH_BATCH CIDs per request (`arg` repeated) — what a user who batches
 *       gets, for reference;
 *    c. the Kubo connector alone (`pin()`, one CID per request, same concurrency);
 *    d. through a pinmesh peer, REST `POST /pins/{cid}` from BENCH_FEED_CONCURRENCY clients →
 *       pinset → tracker (10 workers, batches when pins back up) → Kubo;
 *    e. through a pinmesh peer, one bulk `POST /pins` with an NDJSON body of every CID.
 *    For d and e the end is seen by polling the peer's tracker gauges (Prometheus `/metrics`:
 *    nothing queued, pinning or failed; no Kubo call), then checking Kubo's `pin ls` count. Each
 *    run's pins are removed from Kubo afterwards (untimed), so every run meets the same Kubo.
 * 2. `/add` throughput: a generated file through a Kubo-backed pinmesh peer (`POST /add`, until
 *    the cluster reports it pinned) vs Kubo's `add` API (`pin=true`) on the same Kubo with the
 *    same bytes; and the embedded node's `/add` for reference.
 *
 * Env: BENCH_PINS (default 2000), BENCH_CONCURRENCY (default 10), BENCH_BATCH (default 32),
 * BENCH_FEED_CONCURRENCY (default 64), BENCH_ADD_MIB (default 256), BENCH_ROUNDS (default 3).
 * The ways are interleaved per round; the best run of each counts, and the median of each
 * round's ratio (same round, so the same machine load) is printed beside it. Every run prints the
 * 1-minute load average: the machine is shared, and figures swing with it.
 */
import { readFile, rm } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { decodeGlobalPinInfo, parseJson } from '@pinmesh/interface'
import { kuboBinary, reportMissingKubo, startKubo } from '../../../test/helpers/kubo.js'
import { ndjsonLines, postUpload } from '../../../test/helpers/multipart.js'
import { type PeerProcess, startPeer } from '../../../test/helpers/peer.js'
import { freePort } from '../../../test/helpers/ports.js'
import { waitFor } from '../../../test/helpers/wait.js'
import { createKuboConnector } from '../src/index.js'

const env = process.env
const PINS = Number(env.BENCH_PINS ?? 2000)
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 10)
const BATCH = Number(env.BENCH_BATCH ?? 32)
const ADD_MIB = Number(env.BENCH_ADD_MIB ?? 256)
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3)
/** REST clients feeding the peer: enough that the REST round trip does not limit the tracker, whose own concurrency (10) is what calls Kubo. */
const FEED_CONCURRENCY = Number(env.BENCH_FEED_CONCURRENCY ?? 64)
const MiB = 1 << 20

function out(line: string): void {
  process.stdout.write(`${line}\n`)
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++] as T)
    }),
  )
}

async function putBlocks(url: string, n: number, tag: string): Promise<string[]> {
  const cids: string[] = []
  await pool(
    Array.from({ length: n }, (_, i) => i),
    16,
    async (i) => {
      const form = new FormData()
      form.append('file', new Blob([`${tag} block ${i} ${Math.random()}`]))
      const res = await fetch(`${url}/api/v0/block/put?pin=false`, { method: 'POST', body: form })
      cids.push(((await res.json()) as { Key: string }).Key)
    },
  )
  return cids
}

interface Run {
  rate: number
  load: number
  /** Seconds until the REST API had acknowledged every pin (peer ways). */
  acked: number
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Pin operations queued, running or failed on the peer, from its Prometheus gauges (no Kubo call, no listing). */
async function peerOpsInFlight(metrics: string): Promise<number> {
  const text = await (await fetch(`${metrics}/metrics`)).text()
  let n = 0
  for (const name of ['ipfscluster_pins_pin_queued', 'ipfscluster_pins_pinning', 'ipfscluster_pins_pin_error']) {
    n += Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
  }
  if (Number.isNaN(n)) throw new Error('the peer does not export the tracker gauges')
  return n
}

async function kuboPinCount(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v0/pin/ls?type=recursive&stream=true`, { method: 'POST' })
  return (await res.text()).split('\n').filter((l) => l.trim() !== '').length
}

async function* generated(total: number, seed: number): AsyncGenerator<Uint8Array> {
  const base = new Uint8Array(MiB)
  crypto.getRandomValues(base.subarray(0, 65_536))
  for (let i = 65_536; i < MiB; i += 65_536) base.set(base.subarray(0, 65_536), i)
  for (let n = 0; n < total / MiB; n++) {
    const chunk = new Uint8Array(base)
    for (let off = 0; off < MiB; off += 262_144) new DataView(chunk.buffer).setUint32(off, seed * 1_000_003 + n * 4 + off / 262_144)
    yield chunk
  }
}

async function peakRssMiB(p: PeerProcess): Promise<number> {
  const status = await readFile(`/proc/${p.proc.pid}/status`, 'utf8')
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024)
}

async function main(): Promise<void> {
  const bin = kuboBinary()
  if (bin === undefined) {
    if (reportMissingKubo('ipfs benchmarks')) process.exit(1)
    return
  }
  out(`# IPFS benchmarks — ${new Date().toISOString()} — ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Kubo ${bin}`)
  const kubo = await startKubo({ bin })
  let peer: PeerProcess | undefined
  let embedded: PeerProcess | undefined
  try {
    const metricsPort = await freePort()
    const metrics = `http://127.0.0.1:${metricsPort}`
    peer = await startPeer({
      env: {
        CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiAddr,
        PINMESH_LOG_LEVEL: 'warn',
        CLUSTER_METRICS_ENABLESTATS: 'true',
        CLUSTER_METRICS_PROMETHEUSENDPOINT: `/ip4/127.0.0.1/tcp/${metricsPort}`,
      },
    })

    // 1. pins/s: the ways interleaved per round so machine noise hits all alike
    const connector = createKuboConnector({ node_multiaddress: kubo.apiAddr })
    const ways = ['direct', 'directBatched', 'connector', 'peer', 'peerBulk'] as const
    const runs: Record<(typeof ways)[number], Run[]> = { direct: [], directBatched: [], connector: [], peer: [], peerBulk: [] }
    for (let round = 0; round < ROUNDS; round++) {
      for (const way of ways) {
        const before = await kuboPinCount(kubo.url)
        const cids = await putBlocks(kubo.url, PINS, `${way}-${round}`)
        const t = performance.now()
        let acked = 0
        if (way === 'direct') {
          await pool(cids, CONCURRENCY, async (cid) => {
            const res = await fetch(`${kubo.url}/api/v0/pin/add?arg=${cid}&recursive=true`, { method: 'POST' })
            await res.text()
          })
        } else if (way === 'directBatched') {
          await pool(chunks(cids, BATCH), CONCURRENCY, async (group) => {
            const res = await fetch(`${kubo.url}/api/v0/pin/add?${group.map((c) => `arg=${c}`).join('&')}&recursive=true`, { method: 'POST' })
            await res.text()
          })
        } else if (way === 'connector') {
          await pool(cids, CONCURRENCY, (cid) => connector.pin(cid))
        } else {
          if (way === 'peer') {
            await pool(cids, FEED_CONCURRENCY, async (cid) => {
              const res = await fetch(`${peer?.api}/pins/${cid}`, { method: 'POST' })
              if (res.status !== 200) throw new Error(`pin ${cid}: ${res.status} ${await res.text()}`)
            })
          } else {
            const res = await fetch(`${peer.api}/pins`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/x-ndjson' },
              body: cids.map((cid) => JSON.stringify({ cid })).join('\n'),
            })
            const lines = (await res.text()).split('\n').filter((l) => l !== '')
            if (res.status !== 200 || lines.length !== PINS || lines.some((l) => l.includes('"code"'))) throw new Error(`bulk pin: ${res.status} ${lines[0]}`)
          }
          acked = (performance.now() - t) / 1000
          await waitFor(async () => (await peerOpsInFlight(metrics)) === 0 && (await kuboPinCount(kubo.url)) >= before + PINS, {
            timeout: 300_000,
            interval: 20,
            message: 'all pins in kubo',
          })
        }
        const seconds = (performance.now() - t) / 1000
        if ((await kuboPinCount(kubo.url)) < before + PINS) throw new Error(`${way}: not every pin is in Kubo`)
        runs[way].push({ rate: PINS / seconds, load: loadavg()[0] ?? 0, acked })
        // Unpin in Kubo (untimed), so every run starts from the same Kubo pinset size.
        await pool(chunks(cids, 100), 4, async (group) => {
          await (await fetch(`${kubo.url}/api/v0/pin/rm?${group.map((c) => `arg=${c}`).join('&')}`, { method: 'POST' })).text()
        })
      }
    }
    await connector.stop()
    const best = (xs: Run[]) => xs.reduce((a, b) => (b.rate > a.rate ? b : a))
    const all = (xs: Run[]) => xs.map((r) => `${r.rate.toFixed(0)}@${r.load.toFixed(1)}`).join(' ')
    const base = best(runs.direct).rate
    const line = (label: string, xs: Run[]) => {
      const b = best(xs)
      const perRound = median(xs.map((r, i) => r.rate / (runs.direct[i] as Run).rate))
      out(
        `  ${label.padEnd(62)} ${b.rate.toFixed(0).padStart(5)} pins/s  ratio ${(b.rate / base).toFixed(2)} (median per round ${perRound.toFixed(2)})  load ${b.load.toFixed(1)}  (all: ${all(xs)})`,
      )
    }
    out('')
    out(`pins into Kubo, ${PINS} local blocks per run, best of ${ROUNDS} (all runs as pins/s@load average):`)
    line(`kubo pin/add directly, 1 CID/request, ${CONCURRENCY} concurrent`, runs.direct)
    line(`kubo pin/add directly, ${BATCH} CIDs/request, ${CONCURRENCY} concurrent`, runs.directBatched)
    line(`kubo connector pin(), ${CONCURRENCY} concurrent`, runs.connector)
    line(`pinmesh POST /pins/{cid} (${FEED_CONCURRENCY} clients) → tracker → Kubo`, runs.peer)
    line('pinmesh bulk POST /pins (NDJSON, 1 request) → tracker → Kubo', runs.peerBulk)
    out(
      `  REST acknowledged (best runs): single ${best(runs.peer).acked.toFixed(2)} s, bulk ${best(runs.peerBulk).acked.toFixed(2)} s; ratios are best to best against the first line, and the median of each round's ratio`,
    )

    // 2. /add throughput
    const size = ADD_MIB * MiB
    const direct: { ms: number; load: number }[] = []
    const through: { ms: number; load: number }[] = []
    let t = 0
    for (let run = 0; run < ROUNDS; run++) {
      t = performance.now()
      const d = await postUpload(`${kubo.url}/api/v0/add?pin=true&progress=false`, [{ path: 'bench.bin', content: generated(size, run * 2) }])
      await d.text()
      direct.push({ ms: performance.now() - t, load: loadavg()[0] ?? 0 })
      t = performance.now()
      const res = await postUpload(`${peer.api}/add`, [{ path: 'bench.bin', content: generated(size, run * 2 + 1) }])
      const [root] = await ndjsonLines<{ cid: string }>(res)
      await waitFor(
        async () => {
          const info = decodeGlobalPinInfo(parseJson(await (await fetch(`${peer?.api}/pins/${root?.cid}`)).text()))
          return Object.values(info.peer_map).every((p) => p.status === 'pinned')
        },
        { timeout: 300_000, interval: 20, message: 'added root pinned' },
      )
      through.push({ ms: performance.now() - t, load: loadavg()[0] ?? 0 })
    }
    const fastest = (xs: { ms: number; load: number }[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a))
    const mibs = (ms: number) => size / MiB / (ms / 1000)
    const allAdds = (xs: { ms: number; load: number }[]) => xs.map((r) => `${mibs(r.ms).toFixed(0)}@${r.load.toFixed(1)}`).join(' ')
    const directBest = fastest(direct)
    const peerBest = fastest(through)
    embedded = await startPeer({ env: { PINMESH_LOG_LEVEL: 'warn' } })
    t = performance.now()
    const e = await postUpload(`${embedded.api}/add?no-pin=true`, [{ path: 'bench.bin', content: generated(size, 99) }])
    await e.text()
    const embeddedMBs = mibs(performance.now() - t)
    out('')
    out(`/add of ${ADD_MIB} MiB, best of ${ROUNDS} (all runs as MiB/s@load average):`)
    out(`  kubo add API directly (pin=true)          ${mibs(directBest.ms).toFixed(1)} MiB/s  load ${directBest.load.toFixed(1)}  (all: ${allAdds(direct)})`)
    out(
      `  pinmesh /add on Kubo (until pinned)       ${mibs(peerBest.ms).toFixed(1)} MiB/s  ratio ${(directBest.ms / peerBest.ms).toFixed(2)} (median per round ${median(through.map((r, i) => (direct[i] as { ms: number }).ms / r.ms)).toFixed(2)})  load ${peerBest.load.toFixed(1)}  (all: ${allAdds(through)})`,
    )
    out(`  pinmesh /add on the embedded node         ${embeddedMBs.toFixed(1)} MiB/s  load ${(loadavg()[0] ?? 0).toFixed(1)}  (no pin; for reference)`)
    out(`  peak RSS of the peer process: Kubo-backed ${await peakRssMiB(peer)} MiB, embedded ${await peakRssMiB(embedded)} MiB`)
  } finally {
    for (const p of [peer, embedded]) {
      await p?.kill()
      if (p) await rm(p.dir, { recursive: true, force: true })
    }
    await kubo.destroy()
  }
}

await main()
