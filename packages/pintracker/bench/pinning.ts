/**
 * Tracker throughput against a real embedded IPFS node (Helia on disk): N local raw blocks pinned
 * (a) by calling the node's pin API directly with `concurrent_pins` calls in flight, and
 * (b) through the tracker (pinset change → queue → worker → IPFS pin → op done), then verified
 * with a full `statusAll`. Prints pins/s of both and the ratio. Different CIDs for each run.
 *
 *   npm run bench -w @pinmesh/pintracker -- --pins 20000
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IpfsConnector } from '@pinmesh/interface'
import { createHeliaConnector } from '@pinmesh/ipfs-connector'
import { StatelessPinTracker } from '../src/index.js'
import { logger, MemoryPinset, pinOf, SELF } from '../test/fakes.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback)
}

const total = arg('pins', 10_000)
const concurrency = arg('concurrency', 10)
const dir = await mkdtemp(join(tmpdir(), 'pinmesh-bench-tracker-'))
const helia = await createHeliaConnector({ path: join(dir, 'ipfs') })
await helia.start()

async function blocks(prefix: string): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < total; i++) out.push(await helia.blockPut(new TextEncoder().encode(`${prefix} ${i} ${dir}`)))
  return out
}

const directCids = await blocks('direct')
const trackedCids = await blocks('tracked')

// (a) the IPFS node's own pin API, `concurrency` calls in flight.
let started = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) await helia.pin(directCids[next++] as string)
  }),
)
const directSecs = (performance.now() - started) / 1000

// (b) through the tracker.
let done = 0
let allDone: () => void = () => {}
const finished = new Promise<void>((r) => {
  allDone = r
})
const counting: IpfsConnector = {
  ...helia,
  pin: async (cid, options) => {
    await helia.pin(cid, options)
    if (++done === total) allDone()
  },
}
const pinset = new MemoryPinset()
const tracker = new StatelessPinTracker(
  { concurrent_pins: concurrency, pin_recover_interval: 0 },
  { ipfs: counting, pinset, peerId: SELF, peername: 'bench', logger },
)
await tracker.start()
await tracker.reconciled()
started = performance.now()
for (const cid of trackedCids) await pinset.put(pinOf(cid))
await finished
const trackerSecs = (performance.now() - started) / 1000
let pinned = 0
const statusStart = performance.now()
for await (const info of tracker.statusAll(0)) if (info.status === 'pinned') pinned++
const statusSecs = (performance.now() - statusStart) / 1000
if (pinned !== total) throw new Error(`expected ${total} pinned, statusAll says ${pinned}`)

const direct = total / directSecs
const tracked = total / trackerSecs
console.log(`pintracker bench: ${total} local raw blocks, embedded Helia on disk, ${concurrency} pins in flight`)
console.log(`  IPFS pin API directly : ${Math.round(direct)} pins/s (${directSecs.toFixed(1)} s)`)
console.log(`  through the tracker   : ${Math.round(tracked)} pins/s (${trackerSecs.toFixed(1)} s)  ratio ${(tracked / direct).toFixed(2)}`)
console.log(`  statusAll of ${total} pinned: ${Math.round(total / statusSecs)} statuses/s (${statusSecs.toFixed(1)} s)`)

await tracker.stop()
await helia.stop()
await rm(dir, { recursive: true, force: true })
