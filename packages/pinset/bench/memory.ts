/**
 * Heap per live pin at N pins, and heap retained per pin after pinning and unpinning N CIDs.
 * Run with --expose-gc. Local-only pinset, default shards, batches of 5000; unpinning goes in
 * a scattered order. `total` must not be a multiple of the stride (7919, a prime).
 */
import { rm } from 'node:fs/promises'
import { createPinset } from '../src/index.js'
import { arg, cidFor, heapUsed, logger, pinFor, report, tempDir } from './util.js'

const total = arg('pins', 1_000_000)
const window = 50_000
const dir = await tempDir()
const shards = arg('shards', 64)
const pinset = await createPinset({ path: dir, shards, batching: { max_batch_size: 5000, max_batch_age: 20, max_queue_size: 100_000 } }, { logger })
const base = heapUsed()
let started = performance.now()
for (let at = 0; at < total; at += window) {
  const writes: Promise<void>[] = []
  for (let i = at; i < Math.min(total, at + window); i++) writes.push(pinset.put(pinFor(i)))
  await Promise.all(writes)
}
const putSecs = (performance.now() - started) / 1000
const live = heapUsed()
report(
  'heap per live pin',
  `${Math.round((live - base) / total)} B`,
  `${total} pins, ${shards} shards, heapUsed after GC minus empty pinset, ${(live / 2 ** 20).toFixed(0)} MiB heap, puts took ${putSecs.toFixed(1)} s`,
)
started = performance.now()
// Unpin in a scattered order (a stride coprime to the total), not in pin order: every window
// of removals punches holes all over the runs the puts wrote.
const stride = 7_919
for (let at = 0; at < total; at += window) {
  const writes: Promise<void>[] = []
  for (let i = at; i < Math.min(total, at + window); i++) writes.push(pinset.remove(cidFor((i * stride) % total)))
  await Promise.all(writes)
}
const removeSecs = (performance.now() - started) / 1000
const after = heapUsed()
report(
  'heap retained per pin after unpin',
  `${Math.round((after - base) / total)} B`,
  `${total} pins pinned then unpinned, ${(after / 2 ** 20).toFixed(0)} MiB heap, size ${await pinset.size()}, removes took ${removeSecs.toFixed(1)} s`,
)
await pinset.close()
await rm(dir, { recursive: true, force: true })
