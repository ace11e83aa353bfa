/**
 * `npm run bench` for the state commands: `pinmesh state import` and `state export` as real CLI
 * processes on a real LevelDB state, with N pins in upstream's export format. Prints pins/s and
 * the peak RSS of each process (VmHWM, sampled from /proc until it exits).
 *
 * Sizes: BENCH_STATE_PINS (comma list, default 25000,100000).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { decodePin, encodePin, stringifyJson } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

const BIN = resolve(import.meta.dirname, '../dist/bin.js')

async function lines(n: number): Promise<string> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const cid = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`bench-${i}`))).toString()
    const pin = decodePin({
      cid,
      name: i % 3 === 0 ? `name-${i}` : '',
      replication_factor_min: -1,
      replication_factor_max: -1,
      timestamp: '2026-11-21T10:00:00Z',
    })
    out.push(stringifyJson(encodePin(pin)))
  }
  return `${out.join('\n')}\n`
}

async function run(args: string[]): Promise<{ ms: number; peakMiB: number; stderr: string }> {
  const started = performance.now()
  const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  p.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  let peak = 0
  const sample = setInterval(() => {
    void readFile(`/proc/${p.pid}/status`, 'utf8').then(
      (s) => {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0)
        if (kb > peak) peak = kb
      },
      () => {},
    )
  }, 20)
  const code = await new Promise<number | null>((r) => p.once('close', r))
  clearInterval(sample)
  if (code !== 0) throw new Error(`pinmesh ${args.join(' ')} failed: ${stderr}`)
  return { ms: performance.now() - started, peakMiB: peak / 1024, stderr }
}

const sizes = (process.env.BENCH_STATE_PINS ?? '25000,100000').split(',').map(Number)
console.log('state commands (real CLI processes, real LevelDB)')
for (const n of sizes) {
  const dir = await mkdtemp(join(tmpdir(), 'pinmesh-bench-state-'))
  try {
    const input = join(dir, 'pins.ndjson')
    await writeFile(input, await lines(n))
    const size = (await stat(input)).size
    const imp = await run(['-c', join(dir, 'peer'), 'state', 'import', '-f', input])
    const exp = await run(['-c', join(dir, 'peer'), 'state', 'export', '-f', join(dir, 'out.ndjson')])
    const same = (await readFile(join(dir, 'out.ndjson'), 'utf8')).length === size
    console.log(
      `${n} pins (${(size / 2 ** 20).toFixed(1)} MiB): import ${Math.round(n / (imp.ms / 1000))} pins/s (${(imp.ms / 1000).toFixed(1)} s, peak RSS ${imp.peakMiB.toFixed(0)} MiB); ` +
        `export ${Math.round(n / (exp.ms / 1000))} pins/s (${(exp.ms / 1000).toFixed(1)} s, peak RSS ${exp.peakMiB.toFixed(0)} MiB); export size ${same ? '=' : '≠'} input`,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
