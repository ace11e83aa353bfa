/**
 * Catch-up: peer A (own process) holds N pins on disk; a fresh peer F (own process) connects
 * and pulls by digest announcement + sync. Time from F's dial until F has A's digest.
 */
import { rm } from 'node:fs/promises'
import { createPinset } from '../src/index.js'
import { startPeer, stopAll } from './cluster.js'
import { arg, logger, pinFor, report, tempDir } from './util.js'

const total = arg('pins', 1_000_000)
const cluster = `bench-catchup-${process.pid}`
const dirA = await tempDir()
const dirF = await tempDir()
const fill = performance.now()
const shards = arg('shards', 64)
const writer = await createPinset({ path: dirA, shards, batching: { max_batch_size: 5000, max_batch_age: 20, max_queue_size: 100_000 } }, { logger })
for (let at = 0; at < total; at += 50_000) {
  const writes: Promise<void>[] = []
  for (let i = at; i < Math.min(total, at + 50_000); i++) writes.push(writer.put(pinFor(i)))
  await Promise.all(writes)
}
await writer.close()
const fillSecs = (performance.now() - fill) / 1000
const a = await startPeer({ dir: dirA, cluster, batchAge: 20, shards })
const f = await startPeer({ dir: dirF, cluster, batchAge: 20, shards })
a.send({ cmd: 'digest' })
const target = await a.next('digest')
const t0 = Date.now()
f.send({ cmd: 'dial', addrs: a.addrs })
f.send({ cmd: 'waitDigest', digest: target.digest, size: target.size })
const reached = await f.next('digestReached')
const secs = ((reached.t as number) - t0) / 1000
report(
  'catch-up of a fresh peer',
  `${secs.toFixed(1)} s`,
  `${total} pins, ${shards} shards on A (filled in ${fillSecs.toFixed(0)} s, loaded from LevelDB in ${((a.ready.loadMs as number) / 1000).toFixed(1)} s); fresh F reached A's digest, ${reached.size} pins, F heap ${((reached.heap as number) / 2 ** 20).toFixed(0)} MiB`,
)
await stopAll([a, f])
await rm(dirA, { recursive: true, force: true })
await rm(dirF, { recursive: true, force: true })
