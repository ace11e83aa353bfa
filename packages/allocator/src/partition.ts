/**
 * The balanced ordering (reference §7.4). `allocate_by = [m1, m2, …]` builds a tree: level k
 * groups peers by `mk` — a partitionable metric (a tag) puts every peer with the same value in one
 * partition, any other metric gives each peer its own partition — and each partition is split
 * again by the next metric. Siblings are sorted by weight descending, then aggregated weight
 * (own + children's) descending, then value ascending, then peer ID ascending (pinmesh adds this
 * last key so that equal metrics give the same order on every peer). Peers come out of a
 * round-robin walk: each pick descends into the current partition, and the next pick starts at
 * the next sibling — so picks alternate between tag groups, best group first.
 */
import type { Metric } from '@pinmesh/interface'

interface Partition {
  value: string
  weight: number
  aggregatedWeight: number
  /** Smallest peer ID inside, the final tie-breaker. */
  firstPeer: string
  /** Leaf partitions list their peers (sorted); inner ones have `sub`. */
  peers: string[]
  used: number
  sub: PartitionLevel | undefined
}

interface PartitionLevel {
  partitions: Partition[]
  cursor: number
  exhausted: boolean
}

function compare(a: Partition, b: Partition): number {
  if (a.weight !== b.weight) return b.weight - a.weight
  if (a.aggregatedWeight !== b.aggregatedWeight) return b.aggregatedWeight - a.aggregatedWeight
  if (a.value !== b.value) return a.value < b.value ? -1 : 1
  return a.firstPeer < b.firstPeer ? -1 : a.firstPeer > b.firstPeer ? 1 : 0
}

function partitionValues(metrics: Metric[]): Partition[] {
  const partitions: Partition[] = []
  const byValue = new Map<string, Partition>()
  for (const m of metrics) {
    if (!m.partitionable) {
      partitions.push({ value: m.value, weight: m.weight, aggregatedWeight: m.weight, firstPeer: m.peer, peers: [m.peer], used: 0, sub: undefined })
      continue
    }
    let p = byValue.get(m.value)
    if (p === undefined) {
      p = { value: m.value, weight: 0, aggregatedWeight: 0, firstPeer: m.peer, peers: [], used: 0, sub: undefined }
      byValue.set(m.value, p)
      partitions.push(p)
    }
    p.weight += m.weight
    p.aggregatedWeight += m.weight
    p.peers.push(m.peer)
    if (m.peer < p.firstPeer) p.firstPeer = m.peer
  }
  for (const p of partitions) p.peers.sort()
  return partitions
}

function build(byName: Map<string, Metric[]>, by: readonly string[], peers: Set<string>): PartitionLevel {
  const [name, ...rest] = by
  const metrics = (byName.get(name as string) ?? []).filter((m) => peers.has(m.peer))
  const partitions = partitionValues(metrics)
  if (rest.length > 0) {
    for (const p of partitions) {
      p.sub = build(byName, rest, new Set(p.peers))
      for (const child of p.sub.partitions) p.aggregatedWeight += child.aggregatedWeight
    }
  }
  partitions.sort(compare)
  return { partitions, cursor: 0, exhausted: false }
}

function next(level: PartitionLevel): string | undefined {
  const n = level.partitions.length
  if (n === 0 || level.exhausted) return undefined
  for (let tried = 0; tried < n; tried++) {
    const p = level.partitions[level.cursor] as Partition
    level.cursor = (level.cursor + 1) % n
    let peer: string | undefined
    if (p.sub !== undefined) peer = next(p.sub)
    else if (p.used < p.peers.length) peer = p.peers[p.used++]
    if (peer !== undefined) return peer
  }
  level.exhausted = true
  return undefined
}

/**
 * Orders peers by the balanced rule. `metrics` holds, per metric name of `allocateBy`, one metric
 * per peer; only peers present under every name should be passed (see `classifyMetrics`).
 */
export function balancedOrder(metrics: Map<string, Metric[]>, allocateBy: readonly string[]): string[] {
  if (allocateBy.length === 0) return []
  const all = new Set<string>()
  for (const m of metrics.get(allocateBy[0] as string) ?? []) all.add(m.peer)
  const root = build(metrics, allocateBy, all)
  const out: string[] = []
  for (let peer = next(root); peer !== undefined; peer = next(root)) out.push(peer)
  return out
}
