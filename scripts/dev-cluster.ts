/**
 * `npm run dev:cluster -- --peers 3`: a pinmesh cluster on one machine for development.
 *
 * Starts N `pinmesh daemon` processes, each with its own folder (identity, pinset, embedded IPFS
 * node), its own free ports and log file, sharing a fresh cluster secret; the first peer is the
 * bootstrap of the others. Prints each peer's REST API address and stops them all on Ctrl-C
 * (SIGINT) or SIGTERM: one SIGINT to each peer, SIGKILL after a grace period.
 *
 * The peers run in their own process groups so a terminal's Ctrl-C reaches them once, through
 * this supervisor.
 *
 * Options:
 *   --peers <n>      number of peers (default 3)
 *   --dir <folder>   keep the peers' folders here (default: a temporary folder, deleted on exit)
 *   --log-level <l>  the peers' log level (default info); logs go to <folder>/peerN.log
 *
 * Runs on Node >= 24 directly (type stripping); uses only Node's standard library.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const ROOT = resolve(import.meta.dirname, '..')
const PEER_BIN = join(ROOT, 'apps/peer/dist/bin.js')
const READY_TIMEOUT_MS = 120_000
const STOP_GRACE_MS = 20_000

interface Peer {
  name: string
  dir: string
  log: string
  apiPort: number
  swarmPort: number
  proxyPort: number
  proc: ChildProcess
  id?: string
  swarm?: string
}

function fail(message: string): never {
  process.stderr.write(`dev-cluster: ${message}\n`)
  process.exit(1)
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => res(typeof addr === 'object' && addr !== null ? addr.port : 0))
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function tail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      peers: { type: 'string', default: '3' },
      dir: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write('Usage: npm run dev:cluster -- [--peers <n>] [--dir <folder>] [--log-level <level>]\n')
    return
  }
  const count = Number(values.peers)
  if (!Number.isInteger(count) || count < 1 || count > 20) fail(`--peers must be an integer from 1 to 20, got ${JSON.stringify(values.peers)}`)
  const temporary = values.dir === undefined
  const base = temporary ? await mkdtemp(join(tmpdir(), 'pinmesh-dev-cluster-')) : resolve(values.dir as string)
  await mkdir(base, { recursive: true })
  const secret = randomBytes(32).toString('hex')

  const peers: Peer[] = []
  let stopping: Promise<void> | undefined
  const stopAll = (code: number) => {
    stopping ??= (async () => {
      process.stderr.write(`\ndev-cluster: stopping ${peers.length} peers...\n`)
      await Promise.all(
        peers.map(async (p) => {
          if (p.proc.exitCode !== null || p.proc.signalCode !== null) return
          const exited = new Promise<void>((r) => p.proc.once('exit', () => r()))
          p.proc.kill('SIGINT')
          const timer = setTimeout(() => {
            process.stderr.write(`dev-cluster: ${p.name} did not stop within ${STOP_GRACE_MS / 1000}s, killing it\n`)
            p.proc.kill('SIGKILL')
          }, STOP_GRACE_MS)
          await exited
          clearTimeout(timer)
        }),
      )
      if (temporary) await rm(base, { recursive: true, force: true })
      process.stderr.write('dev-cluster: all peers stopped\n')
      process.exit(code)
    })()
    return stopping
  }
  process.on('SIGINT', () => void stopAll(0))
  process.on('SIGTERM', () => void stopAll(0))
  // Last resort if the supervisor itself dies: do not leave peers behind.
  process.on('exit', () => {
    for (const p of peers) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL')
  })

  const start = async (i: number, bootstrap?: string): Promise<Peer> => {
    const name = `peer${i}`
    const dir = join(base, name)
    const log = join(base, `${name}.log`)
    const apiPort = await freePort()
    const swarmPort = await freePort()
    const proxyPort = await freePort()
    const args = [PEER_BIN, 'daemon', '--config', dir]
    if (bootstrap !== undefined) args.push('--bootstrap', bootstrap)
    const out = createWriteStream(log, { flags: 'a' })
    const proc = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PINMESH_LOG_FORMAT: 'json',
        PINMESH_LOG_LEVEL: values['log-level'],
        CLUSTER_PEERNAME: name,
        CLUSTER_SECRET: secret,
        CLUSTER_CRDT_TRUSTEDPEERS: '*',
        // Joined by --bootstrap: no multicast on the developer's network.
        CLUSTER_MDNSINTERVAL: '0s',
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${apiPort}`,
        CLUSTER_LISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${swarmPort}`,
        CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${proxyPort}`,
        CLUSTER_EMBEDDED_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
      },
    })
    proc.stdout?.pipe(out, { end: false })
    proc.stderr?.pipe(out, { end: false })
    const peer: Peer = { name, dir, log, apiPort, swarmPort, proxyPort, proc }
    peers.push(peer)
    proc.once('exit', (code, signal) => {
      if (stopping !== undefined) return
      void tail(log).then((t) => {
        process.stderr.write(`dev-cluster: ${name} exited (${signal ?? code}); last log lines:\n${t}\n`)
        void stopAll(1)
      })
    })
    const deadline = Date.now() + READY_TIMEOUT_MS
    for (;;) {
      if (stopping !== undefined) await new Promise(() => {})
      try {
        const res = await fetch(`http://127.0.0.1:${apiPort}/id`)
        if (res.ok) {
          const id = (await res.json()) as { id: string; addresses?: string[] | null }
          peer.id = id.id
          peer.swarm = (id.addresses ?? []).find((a) => a.startsWith(`/ip4/127.0.0.1/tcp/${swarmPort}/`)) ?? `/ip4/127.0.0.1/tcp/${swarmPort}/p2p/${id.id}`
          return peer
        }
      } catch {}
      if (Date.now() > deadline) {
        process.stderr.write(`dev-cluster: ${name} did not answer on its API within ${READY_TIMEOUT_MS / 1000}s:\n${await tail(log)}\n`)
        await stopAll(1)
      }
      await sleep(200)
    }
  }

  process.stderr.write(`dev-cluster: starting ${count} peers in ${base}\n`)
  const first = await start(0)
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1, first.swarm)))
  const all = [first, ...rest]
  const lines = all.map(
    (p) => `  ${p.name}  ${p.id}  API http://127.0.0.1:${p.apiPort}  proxy http://127.0.0.1:${p.proxyPort}  swarm ${p.swarm}  pid ${p.proc.pid}  log ${p.log}`,
  )
  process.stdout.write(`pinmesh dev cluster: ${count} peers\n${lines.join('\n')}\n`)
  process.stdout.write('Press Ctrl-C to stop all peers.\n')
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)))
