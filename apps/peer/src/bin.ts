#!/usr/bin/env node
/**
 * `pinmesh` — the pinmesh peer daemon CLI.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { API_VERSION } from '@pinmesh/interface'
import { createLogger } from './logger.js'
import { runStateCommand } from './state/index.js'

const HELP = `pinmesh — an IPFS Cluster peer

Usage: pinmesh [global options] <command>

Commands:
  init          write service.json (fresh cluster secret), identity.json and peerstore
  daemon        run the peer (REST API on 127.0.0.1:9094, cluster on tcp/9096, embedded IPFS node)
  follow <maddr> run a follower of the cluster of that peer: reads the pinset, pins what is
                allocated to everyone, refuses writes (writes follower_mode into service.json)
  state         export, import or clean up the pinset of a stopped peer (pinmesh state help)
  version       print the version

Global options:
  -c, --config <dir>   the peer's folder (default: $PINMESH_PATH or ~/.pinmesh)
  -h, --help           show this help

init options:
  -f, --force               overwrite an existing service.json
      --peers <maddr,...>   peers to write into peerstore (their IDs become the trusted peers)

daemon options:
  -j, --bootstrap <maddr>   join the cluster of a running peer (repeatable, or a comma list)
      --no-trust            do not trust the bootstrap peers

Every service.json key can be overridden with CLUSTER_<SECTION>_<KEY> variables
(e.g. CLUSTER_SECRET, CLUSTER_PEERNAME, CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS); see docs/config.md.
`

/** Index of the command word: global options before it, the command's own options after it. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '-c' || a === '--config') i++
    else if (!a.startsWith('-')) return i
  }
  return argv.length
}

async function main(argv: string[]): Promise<number> {
  // `state` has options of its own: global options go before it, the rest is its own.
  const at = commandIndex(argv)
  const isState = argv[at] === 'state'
  const { values, positionals } = parseArgs({
    args: isState ? argv.slice(0, at + 1) : argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      force: { type: 'boolean', short: 'f' },
      peers: { type: 'string', multiple: true },
      bootstrap: { type: 'string', short: 'j', multiple: true },
      'no-trust': { type: 'boolean' },
    },
  })
  const list = (values: string[] | undefined) =>
    (values ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '')
  const command = positionals[0]
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP)
    return command === undefined && !values.help ? 1 : 0
  }
  const path = values.config ?? process.env.PINMESH_PATH ?? join(homedir(), '.pinmesh')
  switch (command) {
    case 'version':
      process.stdout.write(`pinmesh ${API_VERSION}\n`)
      return 0
    case 'init': {
      // Loaded on demand, like the daemon: the state commands need neither.
      const { initConfig } = await import('./config/init.js')
      await initConfig(path, { force: values.force ?? false, peers: list(values.peers), log: (line) => process.stderr.write(`${line}\n`) })
      return 0
    }
    case 'daemon':
      return runDaemon(path, list(values.bootstrap), values['no-trust'] ?? false)
    case 'follow': {
      const { prepareFollower } = await import('./follow.js')
      await prepareFollower(path, positionals[1], (line) => process.stderr.write(`${line}\n`))
      return runDaemon(path, [positionals[1] as string, ...list(values.bootstrap)], values['no-trust'] ?? false)
    }
    case 'state':
      return runStateCommand(argv.slice(at + 1), path, process)
    default:
      process.stderr.write(`pinmesh: unknown command ${JSON.stringify(command)}\n\n${HELP}`)
      return 1
  }
}

async function runDaemon(path: string, bootstrap: string[], noTrust: boolean): Promise<number> {
  const logger = createLogger()
  // A long-running peer must not die of a stray rejection inside a library. Known case:
  // @helia/utils 3.0.5's graph walker calls `gen.throw(err)` without handling the promise it
  // returns when a pin's walk is aborted (the tracker cancels a pin that was just unpinned).
  // Such errors are logged; the operation that owned them has already failed or been cancelled.
  process.on('unhandledRejection', (reason) => {
    logger.warn({ err: reason }, 'unhandled promise rejection inside a library (logged; the peer keeps running)')
  })
  // Loaded on demand: libp2p and Helia take seconds to import, the state commands need neither.
  const { startDaemon } = await import('./daemon.js')
  const daemon = await startDaemon({ path, logger, bootstrap, noTrust })
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'signal received')
      void daemon.stop().then(resolve)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    process.once('SIGHUP', onSignal)
  })
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`pinmesh: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
