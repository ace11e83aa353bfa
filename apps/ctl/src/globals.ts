/** Global flags of pinmesh-ctl (upstream's ipfs-cluster-ctl, reference §12.1), given before the command. */
import { type ClientConfig, ClientError } from '@pinmesh/client'

export interface Globals {
  hosts: string[]
  https: boolean
  insecure: boolean
  encoding: 'text' | 'json'
  timeout: number
  debug: boolean
  basicAuth: string | undefined
  forceHttp: boolean
  help: boolean
}

const VALUE_FLAGS: Record<string, keyof Globals> = {
  '--host': 'hosts',
  '-l': 'hosts',
  '--encoding': 'encoding',
  '--enc': 'encoding',
  '--timeout': 'timeout',
  '-t': 'timeout',
  '--basic-auth': 'basicAuth',
  '--secret': 'hosts',
}
const BOOL_FLAGS: Record<string, keyof Globals> = {
  '--https': 'https',
  '-s': 'https',
  '--no-check-certificate': 'insecure',
  '--debug': 'debug',
  '-d': 'debug',
  '--force-http': 'forceHttp',
  '-f': 'forceHttp',
  '--help': 'help',
  '-h': 'help',
}

export class UsageError extends Error {
  override name = 'UsageError'
}

/** Splits argv into global flags and the rest (command and its arguments). */
export function parseGlobals(argv: string[], env: NodeJS.ProcessEnv): { globals: Globals; rest: string[] } {
  const g: Globals = {
    hosts: [],
    https: false,
    insecure: false,
    encoding: 'text',
    timeout: 0,
    debug: false,
    basicAuth: env.CLUSTER_CREDENTIALS !== undefined && env.CLUSTER_CREDENTIALS !== '' ? env.CLUSTER_CREDENTIALS : undefined,
    forceHttp: false,
    help: false,
  }
  let i = 0
  for (; i < argv.length; i++) {
    const arg = argv[i] as string
    if (!arg.startsWith('-')) break
    const eq = arg.indexOf('=')
    const name = eq > 0 ? arg.slice(0, eq) : arg
    if (BOOL_FLAGS[name] !== undefined) {
      ;(g as unknown as Record<string, unknown>)[BOOL_FLAGS[name]] = eq > 0 ? arg.slice(eq + 1) !== 'false' : true
      continue
    }
    const key = VALUE_FLAGS[name]
    if (key === undefined) throw new UsageError(`unknown global flag ${name} (see pinmesh-ctl --help)`)
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new UsageError(`flag ${name} needs a value`)
    if (name === '--secret') throw new UsageError('--secret: libp2p-http API endpoints are not supported by pinmesh-ctl; use an HTTP address with --host')
    if (key === 'hosts') g.hosts.push(...value.split(',').filter((h) => h !== ''))
    else if (key === 'encoding') {
      if (value !== 'text' && value !== 'json') throw new UsageError(`--encoding must be "text" or "json", got ${JSON.stringify(value)}`)
      g.encoding = value
    } else if (key === 'timeout') {
      if (!/^\d+$/.test(value)) throw new UsageError(`--timeout must be a whole number of seconds, got ${JSON.stringify(value)}`)
      g.timeout = Number(value)
    } else g.basicAuth = value
  }
  return { globals: g, rest: argv.slice(i) }
}

/** Client settings from global flags: `--basic-auth` implies HTTPS unless `--force-http`. */
export function clientConfig(g: Globals): ClientConfig {
  const config: ClientConfig = {
    hosts: g.hosts,
    https: g.https || (g.basicAuth !== undefined && !g.forceHttp),
    insecure: g.insecure,
    timeout: g.timeout * 1000,
  }
  if (g.forceHttp) config.https = false
  if (g.basicAuth !== undefined) {
    const i = g.basicAuth.indexOf(':')
    config.username = i < 0 ? g.basicAuth : g.basicAuth.slice(0, i)
    config.password = i < 0 ? '' : g.basicAuth.slice(i + 1)
    if (config.username === '') throw new ClientError(0, '--basic-auth: expected user[:password]')
  }
  return config
}
