/**
 * Classification of candidate peers (reference §7.2): each peer with metrics goes into one
 * bucket, first rule wins — blacklisted or refused by the trust filter → dropped; in the pin's
 * current allocations → `current`; in `user_allocations` → `priority`; else → `candidates`. A peer
 * is kept only if it has exactly one valid metric for **every** `allocate_by` name, so peers that
 * are offline (metrics expired), untagged or without free space are invisible to allocation.
 */
import type { AllocationInput, Metric } from '@pinmesh/interface'

export interface ClassifyOptions {
  /** The pin's current allocations. */
  current?: readonly string[]
  /** `user_allocations`: peers to prefer, in order. */
  priority?: readonly string[] | null
  /** Peers never to allocate to (e.g. the peer that just went down). */
  blacklist?: readonly string[]
  /** Extra policy (e.g. `pin_only_on_trusted_peers`): return false to drop a peer. */
  accept?: (peer: string) => boolean
}

export type ClassifiedPeers = Pick<AllocationInput, 'current' | 'candidates' | 'priority'>

/**
 * Buckets the latest valid metrics (`metricsOf(name)`, e.g. `monitor.latestMetrics`) of every
 * `allocateBy` name into current / priority / candidates. Each kept peer maps to its metrics in
 * `allocateBy` order.
 */
export function classifyMetrics(allocateBy: readonly string[], metricsOf: (name: string) => readonly Metric[], options: ClassifyOptions = {}): ClassifiedPeers {
  const blacklist = new Set(options.blacklist ?? [])
  const current = new Set(options.current ?? [])
  const priority = new Set(options.priority ?? [])
  const perPeer = new Map<string, Map<string, Metric[]>>()
  for (const name of allocateBy) {
    for (const m of metricsOf(name)) {
      if (!m.valid || m.name !== name) continue
      let byName = perPeer.get(m.peer)
      if (byName === undefined) {
        byName = new Map()
        perPeer.set(m.peer, byName)
      }
      const list = byName.get(name)
      if (list === undefined) byName.set(name, [m])
      else list.push(m)
    }
  }
  const out: ClassifiedPeers = { current: new Map(), candidates: new Map(), priority: new Map() }
  for (const [peer, byName] of perPeer) {
    if (blacklist.has(peer)) continue
    if (options.accept !== undefined && !options.accept(peer)) continue
    const metrics: Metric[] = []
    for (const name of allocateBy) {
      const list = byName.get(name)
      if (list === undefined || list.length !== 1) break
      metrics.push(list[0] as Metric)
    }
    if (metrics.length !== allocateBy.length) continue
    if (current.has(peer)) out.current.set(peer, metrics)
    else if (priority.has(peer)) out.priority.set(peer, metrics)
    else out.candidates.set(peer, metrics)
  }
  return out
}
