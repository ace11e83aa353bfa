/**
 * IPFS benchmarks (`npm run bench`): figures, not tests.
 *
 * 1. Pins/s into Kubo for blocks Kubo already holds:
 *    a. through a pinmesh peer (REST `POST /pins/{cid}` → pinset → tracker → Kubo connector),
 *       timed until Kubo reports every pin, vs Kubo's own `pin/add` called directly with the
 *       same concurrency;
 *    b. the Kubo connector alone (`pin()`) vs `pin/add` directly.
 * 2. `/add` throughput: a generated file through a Kubo-backed pinmesh peer (`POST /add`, until
 *    pinned in Kubo) vs Kubo's `add` API on the same Kubo with the same bytes; and the embedded
 *    node's `/add` for reference.
 *
 * Env: BENCH_PINS (default 500), BENCH_CONCURRENCY (default 10), BENCH_FEED_CONCURRENCY (default 64), BENCH_ADD_MIB (default 256),
 * BENCH_ROUNDS (default 3). The three ways are interleaved per round; the best run of each counts.
 */
import { readFile, rm } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { decodeGlobalPinInfo, parseJson } from '@pinmesh/interface'
import { kuboBinary, reportMissingKubo, startKubo } from '../../../test/helpers/kubo.js'
import { ndjsonLines, postUpload } from '../../../test/helpers/multipart.js'
import { type PeerProcess, startPeer } from '../../../test/helpers/peer.js'
import { waitFor } from '../../../test/helpers/wait.js'
import { createKuboConnector } from '../src/index.js'

const env = process.env
const PINS = Number(env.BENCH_PINS ?? 500)
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 10)
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
    peer = await startPeer({ env: { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiAddr, PINMESH_LOG_LEVEL: 'warn' } })

    // 1. pins/s: three rounds, the three ways interleaved so machine noise hits all alike
    const connector = createKuboConnector({ node_multiaddress: kubo.apiAddr })
    const rates = { direct: [] as number[], connector: [] as number[], peer: [] as number[] }
    let commitSeconds = 0
    for (let round = 0; round < ROUNDS; round++) {
      const directCids = await putBlocks(kubo.url, PINS, `direct-${round}`)
      let t = performance.now()
      await pool(directCids, CONCURRENCY, async (cid) => {
        const res = await fetch(`${kubo.url}/api/v0/pin/add?arg=${cid}&recursive=true`, { method: 'POST' })
        await res.text()
      })
      rates.direct.push(PINS / ((performance.now() - t) / 1000))

      const connCids = await putBlocks(kubo.url, PINS, `connector-${round}`)
      t = performance.now()
      await pool(connCids, CONCURRENCY, (cid) => connector.pin(cid))
      rates.connector.push(PINS / ((performance.now() - t) / 1000))

      const before = await kuboPinCount(kubo.url)
      const peerCids = await putBlocks(kubo.url, PINS, `peer-${round}`)
      t = performance.now()
      await pool(peerCids, FEED_CONCURRENCY, async (cid) => {
        const res = await fetch(`${peer?.api}/pins/${cid}`, { method: 'POST' })
        if (res.status !== 200) throw new Error(`pin ${cid}: ${res.status} ${await res.text()}`)
      })
      commitSeconds = (performance.now() - t) / 1000
      await waitFor(async () => (await kuboPinCount(kubo.url)) >= before + PINS, { timeout: 300_000, interval: 250, message: 'all pins in kubo' })
      rates.peer.push(PINS / ((performance.now() - t) / 1000))
    }
    await connector.stop()
    const max = (xs: number[]) => Math.max(...xs)
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/')
    out('')
    out(`pins into Kubo, ${PINS} local blocks per run, concurrency ${CONCURRENCY}, best of ${ROUNDS} (all runs):`)
    out(`  kubo pin/add directly           ${max(rates.direct).toFixed(0)} pins/s  (${fmt(rates.direct)})`)
    out(
      `  kubo connector pin()            ${max(rates.connector).toFixed(0)} pins/s  ratio ${(max(rates.connector) / max(rates.direct)).toFixed(2)}  (${fmt(rates.connector)})`,
    )
    out(
      `  pinmesh REST (${FEED_CONCURRENCY} clients) → tracker (10 workers) → pinned in Kubo   ${max(rates.peer).toFixed(0)} pins/s  ratio ${(max(rates.peer) / max(rates.direct)).toFixed(2)}  (${fmt(rates.peer)}; last run's REST commits done after ${commitSeconds.toFixed(2)} s)`,
    )

    // 2. /add throughput
    const size = ADD_MIB * MiB
    const directTimes: number[] = []
    const peerTimes: number[] = []
    let t = 0
    for (let run = 0; run < ROUNDS; run++) {
      t = performance.now()
      const d = await postUpload(`${kubo.url}/api/v0/add?pin=true&progress=false`, [{ path: 'bench.bin', content: generated(size, run * 2) }])
      await d.text()
      directTimes.push(performance.now() - t)
      t = performance.now()
      const res = await postUpload(`${peer.api}/add`, [{ path: 'bench.bin', content: generated(size, run * 2 + 1) }])
      const [root] = await ndjsonLines<{ cid: string }>(res)
      await waitFor(
        async () => {
          const info = decodeGlobalPinInfo(parseJson(await (await fetch(`${peer?.api}/pins/${root?.cid}`)).text()))
          return Object.values(info.peer_map).every((p) => p.status === 'pinned')
        },
        { timeout: 300_000, interval: 50, message: 'added root pinned' },
      )
      peerTimes.push(performance.now() - t)
    }
    const best = (xs: number[]) => Math.min(...xs)
    const directMBs = size / MiB / (best(directTimes) / 1000)
    const peerMBs = size / MiB / (best(peerTimes) / 1000)
    embedded = await startPeer({ env: { PINMESH_LOG_LEVEL: 'warn' } })
    t = performance.now()
    const e = await postUpload(`${embedded.api}/add?no-pin=true`, [{ path: 'bench.bin', content: generated(size, 99) }])
    await e.text()
    const embeddedMBs = size / MiB / ((performance.now() - t) / 1000)
    out('')
    out(
      `/add of ${ADD_MIB} MiB (best of ${ROUNDS}; all runs in ms: direct ${directTimes.map((x) => x.toFixed(0)).join('/')}, pinmesh ${peerTimes.map((x) => x.toFixed(0)).join('/')}):`,
    )
    out(`  kubo add API directly (pinned)          ${directMBs.toFixed(1)} MiB/s`)
    out(`  pinmesh /add on Kubo (until pinned)     ${peerMBs.toFixed(1)} MiB/s  ratio ${(peerMBs / directMBs).toFixed(2)}`)
    out(`  pinmesh /add on the embedded node       ${embeddedMBs.toFixed(1)} MiB/s  (no pin; for reference)`)
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
