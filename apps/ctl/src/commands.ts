/** The subcommands of pinmesh-ctl: one entry per command path with its flags, help and action. */
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { ParseArgsConfig } from 'node:util'
import { type AddEntry, ClientError, type PinmeshClient } from '@pinmesh/client'
import type { GlobalPinInfo, PinOptions, TrackerStatus } from '@pinmesh/interface'
import { formatTime, parseDuration, parseStatusFilter } from '@pinmesh/interface'
import { formatAlert, formatBandwidth, formatGraphDot, formatId, formatMetric, formatPin, formatRepoGc, formatStatus } from './format.js'
import type { Globals } from './globals.js'
import { UsageError } from './globals.js'
import { ProgressBar } from './progress.js'
import { waitFor } from './wait.js'

export interface Io {
  out(s: string): void
  err(s: string): void
  /** True when stderr is a terminal (progress bars). */
  isTTY: boolean
}

export interface Ctx extends Io {
  client: PinmeshClient
  globals: Globals
  /** Prints one object: pretty JSON (4 spaces) with `--enc json`, else `text(obj)`. */
  print<T>(obj: T, text: (o: T) => string): void
}

type Options = NonNullable<ParseArgsConfig['options']>
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>

export interface Command {
  path: string[]
  args: string
  description: string
  options: Options
  hidden?: boolean
  run(ctx: Ctx, values: Values, positionals: string[]): Promise<void>
}

const str = (v: Values, ...names: string[]): string | undefined => {
  for (const n of names) if (typeof v[n] === 'string') return v[n] as string
  return undefined
}
const bool = (v: Values, ...names: string[]): boolean => names.some((n) => v[n] === true)

function int(v: Values, names: string[], fallback: number): number {
  const s = str(v, ...names)
  if (s === undefined) return fallback
  if (!/^-?\d+$/.test(s)) throw new UsageError(`--${names[0]} must be an integer, got ${JSON.stringify(s)}`)
  return Number(s)
}

function seconds(v: Values, names: string[]): number {
  const s = str(v, ...names)
  if (s === undefined || s === '') return 0
  try {
    return parseDuration(s)
  } catch {
    throw new UsageError(`--${names[0]} must be a duration like 30s or 2m, got ${JSON.stringify(s)}`)
  }
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}, got ${positionals.length}`)
  return positionals[0] as string
}

const WAIT_OPTIONS: Options = {
  'no-status': { type: 'boolean' },
  ns: { type: 'boolean' },
  wait: { type: 'boolean', short: 'w' },
  'wait-limit': { type: 'string' },
  wl: { type: 'string' },
  'wait-timeout': { type: 'string' },
  wt: { type: 'string' },
}

const PIN_OPTIONS: Options = {
  replication: { type: 'string', short: 'r' },
  'replication-min': { type: 'string' },
  rmin: { type: 'string' },
  'replication-max': { type: 'string' },
  rmax: { type: 'string' },
  allocations: { type: 'string' },
  allocs: { type: 'string' },
  name: { type: 'string', short: 'n' },
  mode: { type: 'string' },
  'expire-in': { type: 'string' },
  metadata: { type: 'string', multiple: true },
}

function pinOptions(v: Values): Partial<PinOptions> {
  const o: Partial<PinOptions> = {}
  const r = int(v, ['replication'], 0)
  o.replication_factor_min = r !== 0 ? r : int(v, ['replication-min', 'rmin'], 0)
  o.replication_factor_max = r !== 0 ? r : int(v, ['replication-max', 'rmax'], 0)
  o.name = str(v, 'name') ?? ''
  const mode = str(v, 'mode') ?? 'recursive'
  if (mode !== 'recursive' && mode !== 'direct') throw new UsageError(`--mode must be "recursive" or "direct", got ${JSON.stringify(mode)}`)
  o.mode = mode
  const allocs = str(v, 'allocations', 'allocs')
  if (allocs !== undefined && allocs !== '') o.user_allocations = allocs.split(',').map((a) => a.trim())
  const expireIn = seconds(v, ['expire-in'])
  if (expireIn > 0) o.expire_at = formatTime(Date.now() + expireIn)
  const meta: Record<string, string> = {}
  for (const kv of (v.metadata as string[] | undefined) ?? []) {
    const i = kv.indexOf('=')
    if (i <= 0) throw new UsageError(`--metadata must be key=value, got ${JSON.stringify(kv)}`)
    meta[kv.slice(0, i)] = kv.slice(i + 1)
  }
  o.metadata = meta
  return o
}

async function afterPinChange(ctx: Ctx, v: Values, cid: string, target: TrackerStatus, defaultLimit: number): Promise<void> {
  if (bool(v, 'no-status', 'ns')) return
  let status: GlobalPinInfo
  if (bool(v, 'wait')) status = await waitFor(ctx.client, cid, target, int(v, ['wait-limit', 'wl'], defaultLimit), seconds(v, ['wait-timeout', 'wt']))
  else {
    await new Promise((r) => setTimeout(r, 1000))
    status = await ctx.client.status(cid)
  }
  ctx.print(status, formatStatus)
}

async function* walk(path: string, name: string, recursive: boolean, hidden: boolean, sizes: { total: number }): AsyncIterable<AddEntry> {
  const s = await stat(path)
  if (s.isDirectory()) {
    if (!recursive) throw new UsageError(`${path} is a directory: use -r to add directories`)
    yield { path: name }
    for (const entry of (await readdir(path)).sort()) {
      if (!hidden && entry.startsWith('.')) continue
      yield* walk(join(path, entry), `${name}/${entry}`, recursive, hidden, sizes)
    }
  } else {
    sizes.total += s.size
    yield { path: name, content: createReadStream(path) }
  }
}

async function totalSize(path: string): Promise<number> {
  const s = await stat(path)
  if (!s.isDirectory()) return s.size
  let n = 0
  for (const e of await readdir(path)) n += await totalSize(join(path, e))
  return n
}

export const COMMANDS: Command[] = [
  {
    path: ['id'],
    args: '',
    description: 'Show the peer this tool talks to: ID, addresses, IPFS node.',
    options: {},
    run: async (ctx) => ctx.print(await ctx.client.id(), formatId),
  },
  {
    path: ['peers', 'ls'],
    args: '',
    description: 'List the cluster peers (one ID per peer, streamed).',
    options: {},
    run: async (ctx) => {
      for await (const id of ctx.client.peers()) ctx.print(id, formatId)
    },
  },
  {
    path: ['peers', 'rm'],
    args: '<peer ID>',
    description: 'Remove a peer from the cluster.',
    options: {},
    run: async (ctx, _v, p) => {
      const peer = one(p, 'peer ID')
      if (!/^(12D3Koo|Qm|16Uiu2)[1-9A-HJ-NP-Za-km-z]+$/.test(peer)) throw new ClientError(0, `parsing peer ID ${JSON.stringify(peer)}: not a base58 peer ID`)
      await ctx.client.peerRemove(peer)
      ctx.out(`Peer ${peer} removed\n`)
    },
  },
  {
    path: ['pin', 'add'],
    args: '<cid|path>',
    description: 'Pin a CID or IPFS path in the cluster, then show its status.',
    options: { ...PIN_OPTIONS, ...WAIT_OPTIONS },
    run: async (ctx, v, p) => {
      const target = one(p, 'CID or path')
      const options = pinOptions(v)
      const pin = await ctx.client.pinPath(target, options)
      await afterPinChange(ctx, v, pin.cid, 'pinned', options.replication_factor_min ?? 0)
      if (bool(v, 'no-status', 'ns')) ctx.print(pin, formatPin)
    },
  },
  {
    path: ['pin', 'rm'],
    args: '<cid|path>',
    description: 'Unpin a CID or IPFS path from the cluster, then show its status.',
    options: { ...WAIT_OPTIONS },
    run: async (ctx, v, p) => {
      const pin = await ctx.client.unpinPath(one(p, 'CID or path'))
      await afterPinChange(ctx, v, pin.cid, 'unpinned', 0)
      if (bool(v, 'no-status', 'ns')) ctx.print(pin, formatPin)
    },
  },
  {
    path: ['pin', 'update'],
    args: '<from-cid> <to-cid|path>',
    description: 'Pin a new CID with the options of an existing pin (pin-update).',
    options: { name: { type: 'string', short: 'n' }, 'expire-in': { type: 'string' }, ...WAIT_OPTIONS },
    run: async (ctx, v, p) => {
      if (p.length !== 2) throw new UsageError(`expected <from-cid> <to-cid|path>, got ${p.length} arguments`)
      const options = pinOptions({ name: v.name, 'expire-in': v['expire-in'] })
      options.pin_update = p[0] as string
      const pin = await ctx.client.pinPath(p[1] as string, options)
      await afterPinChange(ctx, v, pin.cid, 'pinned', 0)
      if (bool(v, 'no-status', 'ns')) ctx.print(pin, formatPin)
    },
  },
  {
    path: ['pin', 'ls'],
    args: '[cid]',
    description: 'List pins of the shared pinset (no IPFS status), or show one.',
    options: { filter: { type: 'string' } },
    run: async (ctx, v, p) => {
      if (p.length > 0) return ctx.print(await ctx.client.allocation(one(p, 'CID')), formatPin)
      for await (const pin of ctx.client.allocations(str(v, 'filter') ?? 'all')) ctx.print(pin, formatPin)
    },
  },
  {
    path: ['allocations'],
    args: '[cid]',
    description: 'Same as "pin ls": the pins of the shared pinset with their allocations.',
    options: { filter: { type: 'string' } },
    run: async (ctx, v, p) => {
      if (p.length > 0) return ctx.print(await ctx.client.allocation(one(p, 'CID')), formatPin)
      for await (const pin of ctx.client.allocations(str(v, 'filter') ?? 'all')) ctx.print(pin, formatPin)
    },
  },
  {
    path: ['status'],
    args: '[cid...]',
    description: 'Status of pins on every peer (or this peer with --local); --filter by status.',
    options: { local: { type: 'boolean' }, filter: { type: 'string' } },
    run: async (ctx, v, p) => {
      const local = bool(v, 'local')
      const filter = str(v, 'filter') ?? ''
      try {
        parseStatusFilter(filter)
      } catch (err) {
        throw new UsageError(`--filter: ${(err as Error).message} (e.g. pinned, pin_error, error, queued)`)
      }
      if (p.length === 1) return ctx.print(await ctx.client.status(p[0] as string, { local }), formatStatus)
      for await (const g of ctx.client.statusAll({ local, filter: p.length > 0 ? '' : filter, cids: p })) ctx.print(g, formatStatus)
    },
  },
  {
    path: ['recover'],
    args: '[cid]',
    description: 'Retry failed pins/unpins: one CID, or all.',
    options: { local: { type: 'boolean' } },
    run: async (ctx, v, p) => {
      const local = bool(v, 'local')
      if (p.length > 0) return ctx.print(await ctx.client.recover(one(p, 'CID'), { local }), formatStatus)
      for await (const g of ctx.client.recoverAll({ local })) ctx.print(g, formatStatus)
    },
  },
  {
    path: ['add'],
    args: '<path>...',
    description: 'Add files to IPFS through the cluster and pin them (progress bar on a terminal).',
    options: {
      recursive: { type: 'boolean', short: 'r' },
      quiet: { type: 'boolean', short: 'q' },
      quieter: { type: 'boolean', short: 'Q' },
      'no-stream': { type: 'boolean' },
      local: { type: 'boolean' },
      'wrap-with-directory': { type: 'boolean', short: 'w' },
      hidden: { type: 'boolean', short: 'H' },
      'no-pin': { type: 'boolean' },
      format: { type: 'string' },
      layout: { type: 'string' },
      chunker: { type: 'string', short: 's' },
      'raw-leaves': { type: 'boolean' },
      'cid-version': { type: 'string' },
      hash: { type: 'string' },
      ...PIN_OPTIONS,
      ...WAIT_OPTIONS,
    },
    run: async (ctx, v, p) => {
      if (p.length === 0) throw new UsageError('expected at least one path to add')
      const options = pinOptions(v)
      const cidVersion = int(v, ['cid-version'], 0)
      const hash = str(v, 'hash') ?? 'sha2-256'
      const format = str(v, 'format') ?? 'unixfs'
      const wrap = bool(v, 'wrap-with-directory') || p.length > 1
      if (format === 'car' && wrap) throw new UsageError('cannot wrap a CAR file upload')
      const params: Record<string, string | number | boolean> = {
        local: bool(v, 'local'),
        recursive: bool(v, 'recursive'),
        hidden: bool(v, 'hidden'),
        'wrap-with-directory': wrap,
        'no-pin': bool(v, 'no-pin'),
        format,
        layout: str(v, 'layout') ?? '',
        chunker: str(v, 'chunker') ?? 'size-262144',
        'raw-leaves': bool(v, 'raw-leaves') || cidVersion > 0 || hash !== 'sha2-256',
        'cid-version': hash !== 'sha2-256' ? Math.max(1, cidVersion) : cidVersion,
        hash,
        progress: false,
      }
      let total = 0
      for (const path of p) total += await totalSize(path)
      const bar = ctx.isTTY && !bool(v, 'quiet', 'quieter') && ctx.globals.encoding === 'text' ? new ProgressBar(ctx.err, total) : undefined
      const sizes = { total: 0 }
      async function* entries(): AsyncIterable<AddEntry> {
        for (const path of p) yield* walk(path, basename(path), bool(v, 'recursive'), bool(v, 'hidden'), sizes)
      }
      let last: string | undefined
      const outputs = []
      for await (const out of ctx.client.add(entries(), { ...options, params, onBytesSent: (n) => bar?.update(n) })) {
        if (out.cid === null) continue
        last = out.cid
        if (bool(v, 'no-stream')) outputs.push(out)
        else if (bool(v, 'quieter')) continue
        else if (ctx.globals.encoding === 'json') ctx.print(out, () => '')
        else if (bool(v, 'quiet')) ctx.out(`${out.cid}\n`)
        else ctx.out(`added ${out.cid} ${out.name}\n`)
      }
      bar?.finish()
      if (bool(v, 'no-stream')) {
        if (ctx.globals.encoding === 'json') ctx.out(`${JSON.stringify(outputs, null, 4)}\n`)
        else for (const out of outputs) ctx.out(bool(v, 'quiet') ? `${out.cid}\n` : `added ${out.cid} ${out.name}\n`)
      }
      if (bool(v, 'quieter') && last !== undefined) ctx.out(`${last}\n`)
      if (bool(v, 'wait') && last !== undefined && !bool(v, 'no-pin')) {
        const pin = await ctx.client.allocation(last)
        await waitFor(ctx.client, last, 'pinned', pin.replication_factor_min, seconds(v, ['wait-timeout', 'wt']))
      }
    },
  },
  {
    path: ['health', 'graph'],
    args: '',
    description: 'Print the cluster connectivity graph in Graphviz dot (render with `dot -Tpng`).',
    options: { file: { type: 'string', short: 'f' }, 'all-ipfs-peers': { type: 'boolean' } },
    run: async (ctx, v) => {
      const graph = await ctx.client.healthGraph()
      if (ctx.globals.encoding === 'json') return ctx.print(graph, () => '')
      const dot = formatGraphDot(graph, bool(v, 'all-ipfs-peers'))
      const file = str(v, 'file')
      if (file !== undefined) {
        const { writeFile } = await import('node:fs/promises')
        await writeFile(file, dot)
      } else ctx.out(dot)
    },
  },
  {
    path: ['health', 'alerts'],
    args: '',
    description: 'Alerts this peer raised (most recent first).',
    options: {},
    run: async (ctx) => {
      const alerts = await ctx.client.alerts()
      if (ctx.globals.encoding === 'json') return ctx.print(alerts, () => '')
      for (const a of alerts) ctx.out(formatAlert(a))
    },
  },
  {
    path: ['health', 'metrics'],
    args: '[name]',
    description: 'Metric names, or the latest metric of that name from every peer.',
    options: {},
    run: async (ctx, _v, p) => {
      if (p.length === 0) {
        const names = await ctx.client.metricNames()
        if (ctx.globals.encoding === 'json') return ctx.print(names, () => '')
        for (const n of names) ctx.out(`${n}\n`)
        return
      }
      const metrics = await ctx.client.metrics(one(p, 'metric name'))
      if (ctx.globals.encoding === 'json') return ctx.print(metrics, () => '')
      for (const m of metrics) ctx.out(formatMetric(m))
    },
  },
  {
    path: ['health', 'bandwidth'],
    args: '',
    description: 'libp2p bandwidth by protocol.',
    options: {},
    run: async (ctx) => ctx.print(await ctx.client.bandwidth(), formatBandwidth),
  },
  {
    path: ['ipfs', 'gc'],
    args: '',
    description: 'Run garbage collection on the IPFS nodes of every peer (or this one with --local).',
    options: { local: { type: 'boolean' } },
    run: async (ctx, v) => ctx.print(await ctx.client.repoGc({ local: bool(v, 'local') }), formatRepoGc),
  },
  {
    path: ['version'],
    args: '',
    description: 'Print the version of the peer this tool talks to.',
    options: {},
    run: async (ctx) => {
      const version = await ctx.client.version()
      ctx.print({ version }, (o) => `${o.version}\n`)
    },
  },
  {
    path: ['commands'],
    args: '',
    description: 'List every command.',
    options: {},
    hidden: true,
    run: async (ctx) => {
      for (const c of COMMANDS) ctx.out(`pinmesh-ctl ${c.path.join(' ')}\n`)
    },
  },
]
