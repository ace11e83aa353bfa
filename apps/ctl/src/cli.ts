/**
 * pinmesh-ctl's entry: global flags, command lookup, `--help` everywhere, output encoding and
 * exit codes as upstream's ipfs-cluster-ctl (0 ok, 1 local or transport error, 2 error answer
 * from the API, 62 timeout).
 */
import { parseArgs } from 'node:util'
import { ClientError, PinmeshClient } from '@pinmesh/client'
import { API_VERSION } from '@pinmesh/interface'
import { COMMANDS, type Command, type Ctx, type Io } from './commands.js'
import { clientConfig, type Globals, parseGlobals, UsageError } from './globals.js'

const GLOBAL_HELP = `Global options (before the command):
  -l, --host <addrs>        peer API multiaddresses or URLs, comma-separated for fail-over
                            (default /ip4/127.0.0.1/tcp/9094)
  -s, --https               use HTTPS
      --no-check-certificate  accept any TLS certificate
      --enc, --encoding <e> output encoding: text (default) or json
  -t, --timeout <seconds>   request timeout (0 = none)
      --basic-auth <u[:p]>  credentials (default $CLUSTER_CREDENTIALS); implies --https
  -f, --force-http          use HTTP even with --basic-auth
  -d, --debug               print request details on errors
  -h, --help                show help
`

function rootHelp(): string {
  const lines = [
    'pinmesh-ctl — control a pinmesh (IPFS Cluster) peer through its REST API',
    '',
    'Usage: pinmesh-ctl [global options] <command> [options] [arguments]',
    '',
    'Commands:',
  ]
  for (const c of COMMANDS) if (!c.hidden) lines.push(`  ${`${c.path.join(' ')} ${c.args}`.padEnd(34)} ${c.description}`)
  lines.push('', GLOBAL_HELP, 'Run "pinmesh-ctl <command> --help" for the options of a command.')
  return `${lines.join('\n')}\n`
}

function commandHelp(c: Command): string {
  const lines = [`pinmesh-ctl ${c.path.join(' ')} ${c.args}`.trimEnd(), '', c.description, '']
  const opts = Object.entries(c.options)
  if (opts.length > 0) {
    lines.push('Options:')
    for (const [name, o] of opts)
      lines.push(`  ${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' <value>' : ''}${o.multiple ? ' (repeatable)' : ''}`)
    lines.push('')
  }
  lines.push('  -h, --help   show this help')
  return `${lines.join('\n')}\n`
}

function groupHelp(group: string): string {
  const lines = [`pinmesh-ctl ${group} <command>`, '', 'Commands:']
  for (const c of COMMANDS) if (c.path[0] === group && !c.hidden) lines.push(`  ${`${c.path.join(' ')} ${c.args}`.padEnd(34)} ${c.description}`)
  return `${lines.join('\n')}\n`
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? (JSON as unknown as { rawJSON(t: string): unknown }).rawJSON(v.toString()) : v), 4)
}

function findCommand(rest: string[]): { command?: Command; args: string[]; group?: string } {
  for (const c of COMMANDS) {
    if (c.path.every((p, i) => rest[i] === p)) return { command: c, args: rest.slice(c.path.length) }
  }
  const group = rest[0]
  if (group !== undefined && COMMANDS.some((c) => c.path.length > 1 && c.path[0] === group)) return { args: rest.slice(1), group }
  return { args: rest }
}

/** Runs pinmesh-ctl; returns the exit code. */
export async function run(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let globals: Globals | undefined
  let doing = 'running command'
  try {
    const parsed = parseGlobals(argv, env)
    globals = parsed.globals
    const { rest } = parsed
    if (rest.length === 0 || rest[0] === 'help') {
      io.out(rootHelp())
      return globals.help || rest[0] === 'help' ? 0 : 1
    }
    if (rest[0] === '--version' || rest[0] === '-v') {
      io.out(`pinmesh-ctl ${API_VERSION}\n`)
      return 0
    }
    const found = findCommand(rest)
    if (found.command === undefined) {
      if (found.group !== undefined) {
        io.out(groupHelp(found.group))
        const sub = found.args[0]
        if (sub === undefined || sub === '--help' || sub === '-h' || globals.help) return sub === undefined ? 1 : 0
        io.err(`pinmesh-ctl: unknown command "${found.group} ${sub}"\n`)
        return 1
      }
      io.err(`pinmesh-ctl: unknown command ${JSON.stringify(rest[0])}\n\n${rootHelp()}`)
      return 1
    }
    const command = found.command
    if (globals.help || found.args.includes('--help') || found.args.includes('-h')) {
      io.out(commandHelp(command))
      return 0
    }
    doing = command.path.join(' ')
    const { values, positionals } = parseArgs({ args: found.args, options: command.options, allowPositionals: true, strict: true })
    const client = new PinmeshClient(clientConfig(globals))
    const enc = globals.encoding
    const ctx: Ctx = {
      ...io,
      client,
      globals,
      print: (obj, text) => io.out(enc === 'json' ? `${jsonText(obj)}\n` : text(obj)),
    }
    await command.run(ctx, values, positionals)
    return 0
  } catch (err) {
    if (err instanceof ClientError && err.code > 0) {
      io.err(`An error occurred:\n  Code: ${err.code}\n  Message: ${err.message}\n`)
      return 2
    }
    const e = err as Error & { code?: unknown }
    if (err instanceof UsageError || (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`pinmesh-ctl: ${e.message}\n(see pinmesh-ctl --help)\n`)
      return 1
    }
    const timedOut = /timeout|timed out|aborted due to timeout/i.test(e.message) && (globals?.timeout ?? 0) > 0
    io.err(`error ${doing}: ${e.message}\n`)
    if (globals?.debug === true && e.stack !== undefined) io.err(`${e.stack}\n`)
    return timedOut ? 62 : 1
  }
}
