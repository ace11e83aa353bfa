/**
 * REST API benchmarks against a real `pinmesh daemon` process (embedded Helia, LevelDB):
 * - single-pin `POST /pins/{cid}` requests/s (each answer = acknowledged, durable pin), at
 *   concurrency 1 and 32;
 * - bulk `POST /pins` (NDJSON) pins/s;
 * - `GET /pins` and `GET /allocations` over the whole pinset: pins/s streamed and the peer's
 *   peak RSS while streaming (sampled from /proc every 50 ms).
 * - single-pin requests/s against one peer of a 3-peer cluster (BENCH_CLUSTER=0 skips it).
 * Sizes: BENCH_SINGLE (default 2000), BENCH_BULK (default 100000). Prints figures; asserts nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { createTestCluster } from '../../../test/helpers/peer.js'

const ROOT = resolve(import.meta.dirname, '../../..')
const PEER_BIN = join(ROOT, 'apps/peer/dist/bin.js')
const agent = new Agent({ keepAlive: true, maxSockets: 64 })

async function cidOf(i: number, salt: string): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`${salt}-${i}`))).toString()
}

function http(method: string, url: string, body?: string | AsyncIterable<Uint8Array>): Promise<{ status: number; bytes: number; lines: number }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method, agent }, (res) => {
      let bytes = 0
      let lines = 0
      res.on('data', (d: Buffer) => {
        bytes += d.length
        for (const b of d) if (b === 10) lines++
      })
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, bytes, lines }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (body === undefined || typeof body === 'string') req.end(body)
    else
      (async () => {
        for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r))
        req.end()
      })().catch(reject)
  })
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m === null ? 0 : Number(m[1]) / 1024
}

async function startPeer(dir: string, port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [PEER_BIN, 'daemon', '--config', dir], {
    env: {
      ...process.env,
      PINMESH_LOG_FORMAT: 'json',
      PINMESH_LOG_LEVEL: 'warn',
      CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${port}`,
      CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      if ((await http('GET', `http://127.0.0.1:${port}/health`)).status === 204) return proc
    } catch {}
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('peer did not start')
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => r(p))
    })
  })
}

async function singlePins(api: string, n: number, concurrency: number, salt: string): Promise<number> {
  const cids = await Promise.all(Array.from({ length: n }, (_, i) => cidOf(i, salt)))
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const cid = cids[next++] as string
        const res = await http('POST', `${api}/pins/${cid}?replication-min=-1&replication-max=-1`)
        if (res.status !== 200) throw new Error(`POST /pins/${cid}: ${res.status}`)
      }
    }),
  )
  return n / ((performance.now() - t0) / 1000)
}

async function bulk(api: string, n: number, salt: string): Promise<number> {
  async function* body(): AsyncIterable<Uint8Array> {
    const enc = new TextEncoder()
    let batch = ''
    for (let i = 0; i < n; i++) {
      batch += `{"cid":"${await cidOf(i, salt)}","replication_factor_min":-1,"replication_factor_max":-1}\n`
      if (batch.length > 64 * 1024) {
        yield enc.encode(batch)
        batch = ''
      }
    }
    if (batch !== '') yield enc.encode(batch)
  }
  const t0 = performance.now()
  const res = await http('POST', `${api}/pins`, body())
  if (res.status !== 200 || res.lines !== n) throw new Error(`bulk: status ${res.status}, ${res.lines} result lines for ${n} pins`)
  return n / ((performance.now() - t0) / 1000)
}

async function list(api: string, path: string, pid: number): Promise<{ rate: number; n: number; baseline: number; peak: number }> {
  const baseline = rssMiB(pid)
  let peak = baseline
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid))
  }, 50)
  const t0 = performance.now()
  const res = await http('GET', `${api}${path}`)
  const secs = (performance.now() - t0) / 1000
  clearInterval(timer)
  return { rate: res.lines / secs, n: res.lines, baseline, peak }
}

async function main(): Promise<void> {
  const single = Number(process.env.BENCH_SINGLE ?? 2000)
  const bulkN = Number(process.env.BENCH_BULK ?? 100_000)
  const dir = await mkdtemp(join(tmpdir(), 'pinmesh-bench-api-'))
  const port = await freePort()
  const api = `http://127.0.0.1:${port}`
  const proc = await startPeer(dir, port)
  const pid = proc.pid as number
  console.log(`# REST API bench — ${new Date().toISOString()} — ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)
  try {
    console.log(`single POST /pins/{cid}, concurrency 1: ${(await singlePins(api, single, 1, 'c1')).toFixed(0)} req/s (${single} pins)`)
    console.log(`single POST /pins/{cid}, concurrency 32: ${(await singlePins(api, single, 32, 'c32')).toFixed(0)} req/s (${single} pins)`)
    console.log(`bulk POST /pins (NDJSON): ${(await bulk(api, bulkN, 'bulk')).toFixed(0)} pins/s (${bulkN} pins in one request)`)
    for (const path of ['/allocations', '/pins']) {
      const r = await list(api, path, pid)
      console.log(
        `GET ${path}: ${r.rate.toFixed(0)} pins/s streamed (${r.n} pins); peer RSS ${r.baseline.toFixed(0)} MiB before, peak ${r.peak.toFixed(0)} MiB while streaming`,
      )
    }
  } finally {
    proc.kill('SIGTERM')
    await new Promise((r) => proc.once('exit', r))
    await rm(dir, { recursive: true, force: true })
  }
  if (process.env.BENCH_CLUSTER !== '0') {
    // Three real peers joined with --bootstrap (private network, gossip, RPC); pins go to peer 0.
    const cluster = await createTestCluster({ peers: 3, env: { PINMESH_LOG_LEVEL: 'warn' } })
    try {
      const api0 = cluster.peers[0]?.api as string
      console.log(
        `3-peer cluster, single POST /pins/{cid} on one peer, concurrency 1: ${(await singlePins(api0, single, 1, 'k1')).toFixed(0)} req/s (${single} pins)`,
      )
      console.log(
        `3-peer cluster, single POST /pins/{cid} on one peer, concurrency 32: ${(await singlePins(api0, single, 32, 'k32')).toFixed(0)} req/s (${single} pins)`,
      )
      const t0 = performance.now()
      const last = cluster.peers[2]?.api as string
      for (;;) {
        const r = await http('GET', `${last}/allocations`)
        if (r.lines >= 2 * single) break
        if (performance.now() - t0 > 120_000) throw new Error(`peer 2 has ${r.lines} of ${2 * single} pins after 120 s`)
        await new Promise((r2) => setTimeout(r2, 200))
      }
      console.log(
        `3-peer cluster: all ${2 * single} pins listed on another peer ${((performance.now() - t0) / 1000).toFixed(1)} s after the last acknowledgement`,
      )
    } finally {
      await cluster.destroy()
    }
  }
  agent.destroy()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
