/**
 * `npm run bench` for the pinset: each figure in its own process (so heaps don't mix).
 * Sizes: BENCH_COMMIT_PINS, BENCH_REPLICATION_PINS, BENCH_CATCHUP_PINS, BENCH_MEMORY_PINS.
 */
import { spawnSync } from 'node:child_process'

const here = new URL('.', import.meta.url).pathname
const env = process.env
const runs: Array<[string, string]> = [
  ['commit.ts', env.BENCH_COMMIT_PINS ?? '200000'],
  ['replication.ts', env.BENCH_REPLICATION_PINS ?? '200000'],
  ['catchup.ts', env.BENCH_CATCHUP_PINS ?? '1000000'],
  ['memory.ts', env.BENCH_MEMORY_PINS ?? '1000000'],
]
process.stdout.write(`pinset benchmarks, ${new Date().toISOString()}\n`)
for (const [file, pins] of runs) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', `${here}${file}`, '--pins', pins], { stdio: 'inherit' })
  if (r.status !== 0) process.exitCode = 1
}
