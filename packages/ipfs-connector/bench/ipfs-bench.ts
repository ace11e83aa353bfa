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
 * Env: BENCH_PINS (default 1000), BENCH_CONCURRENCY (default 10), BENCH_ADD_MIB (default 256).
 */
import { rm } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { decodeGlobalPinInfo, parseJson } from '@pinmesh/interface'
import { kuboBinary, reportMissingKubo, startKubo } from '../../../test/helpers/kubo.js'
import { ndjsonLines, postUpload } from '../../../test/helpers/multipart.js'
import { type PeerProcess, startPeer } from '../../../test/helpers/peer.js'
import { waitFor } from '../../../test/helpers/wait.js'
import { createKuboConnector } from '../src/index.js'

const env = process.env
const PINS = Number(env.BENCH_PINS ?? 1000)
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 10)
const ADD_MIB = Number(env.BENCH_ADD_MIB ?? 256)
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

    // 1b. connector alone vs direct pin/add
    const connector = createKuboConnector({ node_multiaddress: kubo.apiAddr })
    const directCids = await putBlocks(kubo.url, PINS, 'direct')
    let t = performance.now()
    await pool(directCids, CONCURRENCY, async (cid) => {
      const res = await fetch(`${kubo.url}/api/v0/pin/add?arg=${cid}&recursive=true`, { method: 'POST' })
      await res.text()
    })
    const directRate = PINS / ((performance.now() - t) / 1000)
    const connCids = await putBlocks(kubo.url, PINS, 'connector')
    t = performance.now()
    await pool(connCids, CONCURRENCY, (cid) => connector.pin(cid))
    const connRate = PINS / ((performance.now() - t) / 1000)
    await connector.stop()

    // 1a. through the peer, until Kubo has every pin
    const before = await kuboPinCount(kubo.url)
    const peerCids = await putBlocks(kubo.url, PINS, 'peer')
    t = performance.now()
    await pool(peerCids, CONCURRENCY, async (cid) => {
      const res = await fetch(`${peer?.api}/pins/${cid}`, { method: 'POST' })
      if (res.status !== 200) throw new Error(`pin ${cid}: ${res.status} ${await res.text()}`)
    })
    const committed = performance.now() - t
    await waitFor(async () => (await kuboPinCount(kubo.url)) >= before + PINS, { timeout: 300_000, interval: 50, message: 'all pins in kubo' })
    const peerRate = PINS / ((performance.now() - t) / 1000)
    out('')
    out(`pins into Kubo, ${PINS} local blocks, concurrency ${CONCURRENCY}:`)
    out(`  kubo pin/add directly           ${directRate.toFixed(0)} pins/s`)
    out(`  kubo connector pin()            ${connRate.toFixed(0)} pins/s  ratio ${(connRate / directRate).toFixed(2)}`)
    out(
      `  pinmesh REST → pinned in Kubo   ${peerRate.toFixed(0)} pins/s  ratio ${(peerRate / directRate).toFixed(2)}  (REST commits done after ${(committed / 1000).toFixed(2)} s)`,
    )

    // 2. /add throughput
    const size = ADD_MIB * MiB
    const directTimes: number[] = []
    const peerTimes: number[] = []
    for (let run = 0; run < 2; run++) {
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
    out(`/add of ${ADD_MIB} MiB (best of 2):`)
    out(`  kubo add API directly (pinned)          ${directMBs.toFixed(1)} MiB/s`)
    out(`  pinmesh /add on Kubo (until pinned)     ${peerMBs.toFixed(1)} MiB/s  ratio ${(peerMBs / directMBs).toFixed(2)}`)
    out(`  pinmesh /add on the embedded node       ${embeddedMBs.toFixed(1)} MiB/s  (no pin; for reference)`)
  } finally {
    for (const p of [peer, embedded]) {
      await p?.kill()
      if (p) await rm(p.dir, { recursive: true, force: true })
    }
    await kubo.destroy()
  }
}

await main()
