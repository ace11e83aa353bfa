/**
 * Test fixture: a real Kubo daemon with its own repository (`IPFS_PATH` in a temp dir), free
 * loopback ports for API, gateway and swarm, and an offline-ish config (test profile: no
 * bootstrap, no mDNS; no routing, no AutoTLS/AutoConf), so it only talks to nodes a test
 * connects it to. The binary comes from `scripts/ensure-kubo.sh` (run by `npm test`), found in
 * `PINMESH_KUBO_BIN` or the cache; this fixture never builds it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { tempDir } from './peer.js'
import { freePort } from './ports.js'
import { waitFor } from './wait.js'

const run = promisify(execFile)

const ENV = process.env

export const KUBO_VERSION = ENV.PINMESH_KUBO_VERSION ?? 'v0.41.0'

/** Path of the Kubo binary, or `undefined` when none is installed. */
export function kuboBinary(): string | undefined {
  const env = ENV.PINMESH_KUBO_BIN
  if (env !== undefined && env !== '' && existsSync(env)) return env
  const cache = ENV.PINMESH_CACHE ?? join(ENV.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pinmesh')
  const bin = join(cache, 'kubo', KUBO_VERSION, 'ipfs')
  return existsSync(bin) ? bin : undefined
}

/** Says loudly that Kubo tests cannot run; returns true when that must fail the run (CI). */
export function reportMissingKubo(suite: string): boolean {
  const line = '#'.repeat(72)
  process.stderr.write(
    `\n${line}\n## ${suite}: NO KUBO BINARY — the Kubo tests did NOT run.\n## Run \`sh scripts/ensure-kubo.sh\` (needs Go) or set PINMESH_KUBO_BIN.\n${line}\n\n`,
  )
  return ENV.CI === 'true'
}

export interface KuboProcess {
  bin: string
  repo: string
  /** RPC API base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** RPC API multiaddress, e.g. `/ip4/127.0.0.1/tcp/41234`. */
  apiAddr: string
  apiPort: number
  proc: ChildProcess
  /** Runs the `ipfs` CLI against this repository (the CLI talks to the running daemon). */
  cli(args: string[], input?: string): Promise<string>
  /** SIGTERM, wait for exit. */
  stop(): Promise<void>
  /** Stops the daemon and removes its repository. */
  destroy(): Promise<void>
  /** Starts the daemon again on the same repository and ports. */
  restart(): Promise<void>
}

export async function startKubo(options: { bin?: string } = {}): Promise<KuboProcess> {
  const bin = options.bin ?? kuboBinary()
  if (bin === undefined) throw new Error('no Kubo binary: run sh scripts/ensure-kubo.sh')
  const repo = await tempDir('pinmesh-kubo-')
  const env = { ...process.env, IPFS_PATH: repo }
  await run(bin, ['init', '--profile', 'test'], { env })
  const [apiPort, gatewayPort, swarmPort] = [await freePort(), await freePort(), await freePort()]
  const configPath = join(repo, 'config')
  const config = JSON.parse(await readFile(configPath, 'utf8'))
  config.Addresses.API = `/ip4/127.0.0.1/tcp/${apiPort}`
  config.Addresses.Gateway = `/ip4/127.0.0.1/tcp/${gatewayPort}`
  config.Addresses.Swarm = [`/ip4/127.0.0.1/tcp/${swarmPort}`]
  config.Addresses.Announce = []
  config.Addresses.NoAnnounce = []
  config.Bootstrap = []
  config.Routing = { ...(config.Routing ?? {}), Type: 'none' }
  config.Discovery = { MDNS: { Enabled: false } }
  config.AutoTLS = { ...(config.AutoTLS ?? {}), Enabled: false }
  config.AutoConf = { ...(config.AutoConf ?? {}), Enabled: false }
  config.Swarm = {
    ...(config.Swarm ?? {}),
    RelayClient: { Enabled: false },
    RelayService: { Enabled: false },
    EnableHolePunching: false,
    DisableNatPortMap: true,
  }
  await writeFile(configPath, JSON.stringify(config, null, 2))
  const url = `http://127.0.0.1:${apiPort}`
  let proc!: ChildProcess
  let output = ''

  const launch = async () => {
    proc = spawn(bin, ['daemon', '--enable-gc=false'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    proc.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`kubo exited with ${code} during start:\n${output}`))))
    exited.catch(() => {})
    await Promise.race([
      waitFor(async () => (await fetch(`${url}/api/v0/id`, { method: 'POST' })).ok, { timeout: 60_000, message: `kubo API at ${url}` }),
      exited,
    ])
  }
  await launch()

  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve()
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      proc.once('exit', () => {
        clearTimeout(t)
        resolve()
      })
      proc.kill('SIGTERM')
    })

  return {
    bin,
    repo,
    url,
    apiAddr: `/ip4/127.0.0.1/tcp/${apiPort}`,
    apiPort,
    get proc() {
      return proc
    },
    async cli(args: string[], input?: string) {
      const child = execFile(bin, args, { env, maxBuffer: 64 * 1024 * 1024 })
      if (input !== undefined) child.stdin?.end(input)
      else child.stdin?.end()
      let out = ''
      let err = ''
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
      })
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString()
      })
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      if (code !== 0) throw new Error(`ipfs ${args.join(' ')} exited with ${code}: ${err}`)
      return out
    },
    stop,
    async destroy() {
      await stop()
      await rm(repo, { recursive: true, force: true })
    },
    restart: launch,
  }
}
