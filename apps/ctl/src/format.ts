/** Text output of pinmesh-ctl, in the formats upstream's ipfs-cluster-ctl prints (reference §12.1). */
import type { Alert, ConnectGraph, GlobalPinInfo, GlobalRepoGC, ID, Metric, Pin } from '@pinmesh/interface'
import { isZeroTime, timeToMillis } from '@pinmesh/interface'

export function formatId(id: ID): string {
  if (id.error !== '') return `${id.id} | ERROR: ${id.error}\n`
  const lines = [`${id.id} | ${id.peername} | Sees ${Math.max(0, id.cluster_peers.length - 1)} other peers`, '  > Addresses:']
  for (const a of [...(id.addresses ?? [])].sort()) lines.push(`    - ${a}`)
  if (id.ipfs.error !== '') lines.push(`  > IPFS ERROR: ${id.ipfs.error}`)
  else {
    lines.push(`  > IPFS: ${id.ipfs.id ?? ''}`)
    for (const a of [...(id.ipfs.addresses ?? [])].sort()) lines.push(`    - ${a}`)
  }
  return `${lines.join('\n')}\n`
}

function dateTime(t: string): string {
  return new Date(timeToMillis(t))
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')
}

export function formatPin(p: Pin): string {
  const repl =
    p.replication_factor_min === -1
      ? 'Repl. Factor: -1 | Allocations: [everywhere]'
      : `Repl. Factor: ${p.replication_factor_min}--${p.replication_factor_max} | Allocations: [${[...p.allocations].sort().join(' ')}]`
  const depth = p.max_depth === 0 ? 'Direct' : p.max_depth < 0 ? 'Recursive' : `Recursive-${p.max_depth}`
  const meta = p.metadata !== null && Object.keys(p.metadata).length > 0 ? 'yes' : 'no'
  const exp = isZeroTime(p.expire_at) ? '∞' : dateTime(p.expire_at)
  const added = isZeroTime(p.timestamp) ? 'unknown' : dateTime(p.timestamp)
  return `${p.cid} | ${p.name} | ${p.type.toUpperCase()} | ${repl} | ${depth} | Metadata: ${meta} | Exp: ${exp} | Added: ${added}\n`
}

export function formatStatus(g: GlobalPinInfo): string {
  const lines = [`${g.cid}${g.name !== '' ? ` | ${g.name}` : ''}:`]
  for (const peer of Object.keys(g.peer_map).sort()) {
    const s = g.peer_map[peer]
    if (s === undefined) continue
    const who = (s.peername !== '' ? s.peername : peer).padEnd(20)
    const err = s.error !== '' ? `: ${s.error}` : ''
    lines.push(`    > ${who} : ${s.status.toUpperCase()}${err} | ${s.timestamp} | Attempts: ${s.attempt_count} | Priority: ${s.priority_pin}`)
  }
  return `${lines.join('\n')}\n`
}

/** "29 seconds from now", "3 minutes ago". */
export function humanizeTime(ms: number, now = Date.now()): string {
  const diff = ms - now
  const abs = Math.abs(diff)
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ]
  if (abs < 1000) return 'now'
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size)
      return `${n} ${name}${n === 1 ? '' : 's'} ${diff > 0 ? 'from now' : 'ago'}`
    }
  }
  return 'now'
}

/** SI bytes as upstream humanizes freespace (`52 GB`). */
export function humanizeBytes(n: number): string {
  if (n < 10) return `${n} B`
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']
  const e = Math.min(Math.floor(Math.log10(n) / 3), units.length - 1)
  const v = n / 1000 ** e
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[e]}`
}

function nanosToMillis(n: bigint): number {
  return Number(n / 1_000_000n)
}

export function formatMetric(m: Metric): string {
  const value = m.name === 'freespace' && /^\d+$/.test(m.value) ? humanizeBytes(Number(m.value)) : m.value
  return `${m.peer} | ${m.name}: ${value} | Expires in: ${humanizeTime(nanosToMillis(m.expire))}\n`
}

export function formatAlert(a: Alert): string {
  return `${a.peer}: ${a.name}. Expired at: ${humanizeTime(nanosToMillis(a.expire))}. Triggered at: ${humanizeTime(timeToMillis(a.triggered_at))}\n`
}

export function formatRepoGc(g: GlobalRepoGC): string {
  const out: string[] = []
  for (const peer of Object.keys(g.peer_map).sort()) {
    const r = g.peer_map[peer]
    if (r === undefined) continue
    out.push(`${(r.peername !== '' ? r.peername : peer).padEnd(15)}${r.error ? ` | ERROR: ${r.error}` : ''}`)
    out.push('  > CIDs:')
    for (const k of r.keys) out.push(k.error ? `    - ${k.key ?? ''} ERROR: ${k.error}` : `    - ${k.key ?? ''}`)
  }
  return `${out.join('\n')}\n`
}

export function formatBandwidth(b: Record<string, { total_in: number; total_out: number; rate_in: number; rate_out: number }> | null): string {
  if (b === null) return 'no bandwidth information\n'
  return Object.entries(b)
    .map(
      ([proto, s]) =>
        `${proto.padStart(25)}: In: ${humanizeBytes(s.total_in).padStart(7)}. Out: ${humanizeBytes(s.total_out).padStart(7)}. RateIn: ${s.rate_in.toFixed(2)}B/s. RateOut: ${s.rate_out.toFixed(2)}B/s\n`,
    )
    .join('')
}

/**
 * Graphviz dot of a ConnectGraph: cluster peers `C<n>` (this peer first, `C0`), IPFS nodes
 * `I<n>`; edges cluster→cluster, cluster→its IPFS node, IPFS→IPFS (with `allIpfs`, also IPFS
 * peers outside the cluster).
 */
export function formatGraphDot(g: ConnectGraph, allIpfs = false): string {
  const clusterIds = [...new Set([g.cluster_id, ...Object.keys(g.cluster_links), ...Object.keys(g.id_to_peername), ...Object.values(g.cluster_links).flat()])]
  const ordered = [g.cluster_id, ...clusterIds.filter((p) => p !== g.cluster_id).sort()]
  const cName = new Map(ordered.map((p, i) => [p, `C${i}`]))
  const ownIpfs = new Set(Object.values(g.cluster_to_ipfs))
  const ipfsIds = [...new Set([...Object.keys(g.ipfs_links), ...Object.values(g.ipfs_links).flat(), ...ownIpfs])]
    .filter((p) => allIpfs || ownIpfs.has(p))
    .sort()
  const iName = new Map(ipfsIds.map((p, i) => [p, `I${i}`]))
  const short = (p: string) => (p.length > 12 ? `${p.slice(0, 4)}…${p.slice(-6)}` : p)
  const out = ['digraph cluster {', '  graph [overlap=false]', '  node [shape=box style=filled]']
  for (const p of ordered) {
    const trusted = g.cluster_trust_links[p] === true
    const label = `${g.id_to_peername[p] ?? ''}\\n${short(p)}${p === g.cluster_id ? ' (this peer)' : ''}`
    out.push(`  ${cName.get(p)} [label="${label}" color="${trusted ? 'orange' : 'blue'}" fillcolor="${p === g.cluster_id ? 'lightblue' : 'white'}"]`)
  }
  for (const p of ipfsIds) out.push(`  ${iName.get(p)} [label="IPFS\\n${short(p)}" color="green" fillcolor="${ownIpfs.has(p) ? 'lightgreen' : 'white'}"]`)
  for (const p of ordered) {
    for (const q of [...(g.cluster_links[p] ?? [])].sort()) if (cName.has(q)) out.push(`  ${cName.get(p)} -> ${cName.get(q)}`)
    const ipfs = g.cluster_to_ipfs[p]
    if (ipfs !== undefined && iName.has(ipfs)) out.push(`  ${cName.get(p)} -> ${iName.get(ipfs)} [style=dashed]`)
  }
  for (const p of ipfsIds) for (const q of [...(g.ipfs_links[p] ?? [])].sort()) if (iName.has(q)) out.push(`  ${iName.get(p)} -> ${iName.get(q)}`)
  out.push('}')
  return `${out.join('\n')}\n`
}
