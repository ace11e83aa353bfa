/** Durable commits on one peer: pins/s acknowledged (every promise resolved after LevelDB). */
import { rm } from 'node:fs/promises'
import { createPinset } from '../src/index.js'
import { arg, logger, pinFor, report, tempDir } from './util.js'

const total = arg('pins', 200_000)
const dir = await tempDir()
const shards = arg('shards', 64)
const pinset = await createPinset({ path: dir, shards, batching: { max_batch_size: 5000, max_batch_age: 20, max_queue_size: 200_000 } }, { logger })
const pins = Array.from({ length: total }, (_, i) => pinFor(i))
const started = performance.now()
const window = 100_000
for (let at = 0; at < total; at += window) {
  await Promise.all(pins.slice(at, at + window).map((p) => pinset.put(p)))
}
const secs = (performance.now() - started) / 1000
report(
  'durable commits, one peer',
  `${Math.round(total / secs)} pins/s`,
  `${total} puts, ${window} in flight, batch 5000, ${shards} shards, ${secs.toFixed(1)} s`,
)
await pinset.close()
await rm(dir, { recursive: true, force: true })
