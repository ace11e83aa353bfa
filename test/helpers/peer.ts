/**
 * Test fixture: a real `pinmesh daemon` process with its own folder and ports, talking over
 * real HTTP. `stop()` sends SIGTERM, `kill()` SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from './ports.js'
import { waitFor } from './wait.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const PEER_BIN = join(ROOT, 'apps/peer/dist/bin.js')

export interface PeerProcess {
  dir: string
  apiPort: number
  api: string
  /** The IPFS proxy (Kubo-compatible RPC API) of this peer. */
  proxyPort: number
  proxy: string
  proc: ChildProcess
  logs(): string
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill(): Promise<number | null>
  /** Starts the daemon again on the same folder and ports. */
  restart(): Promise<void>
}

export interface PeerOptions {
  dir?: string
  apiPort?: number
  proxyPort?: number
  env?: Record<string, string>
}

export async function tempDir(prefix = 'pinmesh-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export async function startPeer(options: PeerOptions = {}): Promise<PeerProcess> {
  const dir = options.dir ?? (await tempDir())
  const apiPort = options.apiPort ?? (await freePort())
  const api = `http://127.0.0.1:${apiPort}`
  const proxyPort = options.proxyPort ?? (await freePort())
  let output = ''
  let proc!: ChildProcess

  const launch = async () => {
    proc = spawn(process.execPath, [PEER_BIN, 'daemon', '--config', dir], {
      env: {
        ...process.env,
        PINMESH_LOG_FORMAT: 'json',
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${apiPort}`,
        CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
        CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${proxyPort}`,
        CLUSTER_EMBEDDED_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    proc.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`peer exited with ${code} during start:\n${output}`))))
    await Promise.race([waitFor(async () => (await fetch(`${api}/health`)).status === 204, { timeout: 60_000, message: `peer API at ${api}` }), exited])
  }

  const waitExit = (signal: NodeJS.Signals) =>
    new Promise<number | null>((resolveExit) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolveExit(proc.exitCode)
      proc.once('exit', (code) => resolveExit(code))
      proc.kill(signal)
    })

  await launch()
  return {
    dir,
    apiPort,
    api,
    proxyPort,
    proxy: `http://127.0.0.1:${proxyPort}`,
    get proc() {
      return proc
    },
    logs: () => output,
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    restart: launch,
  }
}
