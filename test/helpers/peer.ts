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
  /** Starts the daemon again on the same folder and ports (with `args`, or the original ones). */
  restart(args?: string[]): Promise<void>
}

export interface PeerOptions {
  dir?: string
  apiPort?: number
  proxyPort?: number
  env?: Record<string, string>
  /** Extra `pinmesh daemon` arguments (e.g. `['--bootstrap', addr]`). */
  args?: string[]
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

  const launch = async (args = options.args ?? []) => {
    proc = spawn(process.execPath, [PEER_BIN, 'daemon', '--config', dir, ...args], {
      env: {
        ...process.env,
        PINMESH_LOG_FORMAT: 'json',
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${apiPort}`,
        CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
        // Tests do not multicast unless they test mDNS (other suites run on this machine).
        CLUSTER_MDNSINTERVAL: '0s',
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
    restart: (args?: string[]) => launch(args),
  }
}

export interface TestClusterOptions {
  peers: number
  /** Extra env for every peer (a fresh shared `CLUSTER_SECRET` is added unless given). */
  env?: Record<string, string>
  /** Join peers 2..n to peer 1 with `--bootstrap` (default true). */
  bootstrap?: boolean
}

export interface TestCluster {
  peers: PeerProcess[]
  secret: string
  /** The cluster peer ID of each peer (`GET /id`). */
  ids: string[]
  /** Kills every peer still running. */
  destroy(): Promise<void>
}

async function peerId(api: string): Promise<{ id: string; addresses: string[] }> {
  const body = (await (await fetch(`${api}/id`)).json()) as { id: string; addresses: string[] | null }
  return { id: body.id, addresses: body.addresses ?? [] }
}

/** Starts `peers` daemons sharing a fresh cluster secret; by default 2..n bootstrap to the first. */
export async function createTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const secret = options.env?.CLUSTER_SECRET ?? Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
  const env = { CLUSTER_SECRET: secret, ...options.env }
  const first = await startPeer({ env })
  const firstId = await peerId(first.api)
  const bootstrapAddr = firstId.addresses[0]
  if (bootstrapAddr === undefined) throw new Error('first peer has no address')
  const rest = await Promise.all(
    Array.from({ length: options.peers - 1 }, () => startPeer({ env, args: options.bootstrap === false ? [] : ['--bootstrap', bootstrapAddr] })),
  )
  const peers = [first, ...rest]
  const ids = await Promise.all(peers.map(async (p) => (await peerId(p.api)).id))
  return {
    peers,
    secret,
    ids,
    destroy: async () => {
      await Promise.all(peers.map((p) => p.kill()))
    },
  }
}
