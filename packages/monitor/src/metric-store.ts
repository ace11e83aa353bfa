/**
 * The latest metrics of every peer: per (name, peer) the newest metric received, valid or not,
 * with `received_at` stamped on insert (reference §8.2). Queries return only valid, unexpired
 * metrics, sorted by peer ID then expiry.
 */
import type { Metric } from '@pinmesh/interface'
import { nowNs } from './time.js'

export function isLive(metric: Metric, now = nowNs()): boolean {
  return metric.valid && metric.expire > now
}

export class MetricStore {
  /** name → peer → newest metric */
  private readonly byName = new Map<string, Map<string, Metric>>()

  /** Stores a metric (stamping `received_at`) and returns the stored copy. */
  add(metric: Metric): Metric {
    const stored = { ...metric, received_at: nowNs() }
    let peers = this.byName.get(metric.name)
    if (peers === undefined) {
      peers = new Map()
      this.byName.set(metric.name, peers)
    }
    peers.set(metric.peer, stored)
    return stored
  }

  /** The newest valid, unexpired metric of `name` per peer. */
  latest(name: string): Metric[] {
    const now = nowNs()
    const out = [...(this.byName.get(name)?.values() ?? [])].filter((m) => isLive(m, now))
    return out.sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : a.expire < b.expire ? -1 : a.expire > b.expire ? 1 : 0))
  }

  /** The newest metric of `name` for `peer`, even expired. */
  latestForPeer(name: string, peer: string): Metric | undefined {
    return this.byName.get(name)?.get(peer)
  }

  names(): string[] {
    return [...this.byName.keys()]
  }

  /** Every newest metric, for the expiry checker. */
  *all(): Iterable<Metric> {
    for (const peers of this.byName.values()) yield* peers.values()
  }

  /** Forgets every metric of a peer. */
  removePeer(peer: string): void {
    for (const peers of this.byName.values()) peers.delete(peer)
  }
}
