/**
 * Replication across three peer processes on loopback: writes on A, time until B and C hold
 * every pin; then propagation latency at light load (one pin every 50 ms).
 */
import { rm } from 'node:fs/promises'
import { type Peer, startPeer, stopAll } from './cluster.js'
import { arg, percentile, report, tempDir } from './util.js'

const total = arg('pins', 200_000)
const batchAge = arg('batch-age', 20)
const cluster = `bench-${process.pid}`
const dirs = [await tempDir(), await tempDir(), await tempDir()]
const shards = arg('shards', 64)
const [a, b, c] = await Promise.all(dirs.map((dir) => startPeer({ dir, cluster, batchAge, shards })))
if (a === undefined || b === undefined || c === undefined) throw new Error('peers did not start')
b.send({ cmd: 'dial', addrs: a.addrs })
c.send({ cmd: 'dial', addrs: [...a.addrs, ...b.addrs] })
await Promise.all([b.next('dialed'), c.next('dialed')])
for (const p of [a, b, c]) p.send({ cmd: 'subscribers', n: 2 })
await Promise.all([a, b, c].map((p) => p.next('subscribers', 30_000)))

/** Propagation latency at light load: `n` puts on A, one every 50 ms, timed to B's change event. */
async function latency(writer: Peer, reader: Peer, label: string, n: number, from: number): Promise<void> {
  reader.send({ cmd: 'latencies', count: n })
  writer.send({ cmd: 'trickle', count: n, interval: 50, from })
  const lat = ((await reader.next('latencies')).values as number[]).sort((x, y) => x - y)
  report(
    `propagation latency at light load, p50 / p99 (${label})`,
    `${percentile(lat, 50).toFixed(1)} ms / ${percentile(lat, 99).toFixed(1)} ms`,
    `${n} puts on A one every 50 ms, seen by B's change event; max_batch_age ${batchAge} ms`,
  )
}

// Warm-up (not measured): the first puts run cold code paths and meet a gossipsub mesh still forming.
await latency(a, b, 'warm-up, not a figure', 20, 5000)
await latency(a, b, 'fresh cluster', 200, 0)

b.send({ cmd: 'expect', count: total })
c.send({ cmd: 'expect', count: total })
a.send({ cmd: 'write', count: total })
const written = await a.next('written')
const [rb, rc] = await Promise.all([b.next('reached'), c.next('reached')])
const t0 = written.t0 as number
const last = Math.max(rb.t as number, rc.t as number)
report(
  'replication A -> B and C (3 processes)',
  `${Math.round(total / ((last - t0) / 1000))} pins/s`,
  `${total} pins, ${shards} shards, written on A (${Math.round(total / (((written.t1 as number) - t0) / 1000))} pins/s acknowledged), all on B and C after ${((last - t0) / 1000).toFixed(1)} s`,
)

// Light load again once the bulk has settled (B and C idle), with the large state in place.
await new Promise((r) => setTimeout(r, 3000))
await latency(a, b, `after the bulk, ${total} pins`, 200, 1000)
for (const [name, p] of [
  ['A', a],
  ['B', b],
  ['C', c],
] as const) {
  p.send({ cmd: 'traffic' })
  process.stdout.write(`  traffic ${name}: ${JSON.stringify((await p.next('traffic')).values)}\n`)
}
await stopAll([a, b, c])
await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
