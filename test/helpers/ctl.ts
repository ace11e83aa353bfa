/** Test fixture: the built `pinmesh-ctl` (apps/ctl/dist/bin.js) run as a separate process. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './peer.js'

export const CTL = join(ROOT, 'apps/ctl/dist/bin.js')

export interface CtlRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `pinmesh-ctl args…` (no credentials from the environment unless `env` sets them). */
export function ctl(args: string[], env: Record<string, string> = {}): Promise<CtlRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CTL, ...args], { env: { ...process.env, CLUSTER_CREDENTIALS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    p.once('error', reject)
    p.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Splits the 4-space-indented JSON objects ctl prints one after another. */
export function jsonObjects(text: string): unknown[] {
  return text
    .split(/\n(?=\{)/)
    .filter((s) => s.trim() !== '')
    .map((s) => JSON.parse(s) as unknown)
}
