/**
 * Test fixture: runs the real `pinmesh` CLI (apps/peer/dist/bin.js) as a child process and
 * collects its output. `input` is written to stdin and closed; without it stdin is /dev/null.
 */
import { spawn } from 'node:child_process'
import { PEER_BIN } from './peer.js'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  input?: string | Buffer
  env?: Record<string, string>
  /** Kill the process after this many ms (default 60 s). */
  timeout?: number
}

export async function runPinmesh(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const proc = spawn(process.execPath, [PEER_BIN, ...args], {
    env: { ...process.env, PINMESH_LOG_FORMAT: 'json', ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  if (options.input !== undefined) proc.stdin?.end(options.input)
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeout ?? 60_000)
  // 'close' comes after the process exited and its pipes drained.
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)))
  clearTimeout(timer)
  return { code, stdout, stderr }
}
