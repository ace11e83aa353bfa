/** Shared helpers of the pinset benchmarks. */
import { createHash } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Pin } from '@pinmesh/interface'
import { defaultPinOptions, newPin } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import pino from 'pino'

export const logger = pino({ level: process.env.PINMESH_BENCH_LOG ?? 'silent' })

export function cidFor(n: number, salt = ''): string {
  const hash = createHash('sha256').update(`${salt}${n}`).digest()
  return CID.createV1(0x55, Digest.create(0x12, hash)).toString()
}

export function pinFor(n: number, salt = ''): Pin {
  return { ...newPin(cidFor(n, salt), defaultPinOptions(), 1_700_000_000_000), allocations: [] }
}

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pinmesh-bench-'))
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback)
}

export function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with --expose-gc')
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

export function report(figure: string, value: string, workload: string): void {
  process.stdout.write(`${figure}: ${value}   (${workload})\n`)
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}
