/**
 * The balanced allocator: the allocation decision of reference §7.3 over the balanced ordering
 * of §7.4.
 *
 * - factors -1/-1 → `[]` (pin everywhere);
 * - more valid current peers than `replication_factor_max` → the first `max` of them;
 * - at least `replication_factor_min` valid current peers → the existing allocations, unchanged;
 * - otherwise the valid current peers, then up to `max − current` more: `user_allocations`
 *   (priority) peers first, then candidates, each group in balanced order;
 * - fewer than `min − current` available → `NotEnoughPeersError` naming the numbers.
 */
import type { AllocationInput, Allocator, Metric, Pin } from '@pinmesh/interface'
import { InvalidArgumentError, NotEnoughPeersError } from '@pinmesh/interface'
import type { BalancedAllocatorConfig } from './config.js'
import { balancedOrder } from './partition.js'

function byName(peers: Map<string, Metric[]>): Map<string, Metric[]> {
  const out = new Map<string, Metric[]>()
  for (const metrics of peers.values()) {
    for (const m of metrics) {
      const list = out.get(m.name)
      if (list === undefined) out.set(m.name, [m])
      else list.push(m)
    }
  }
  return out
}

class BalancedAllocator implements Allocator {
  readonly allocateBy: readonly string[]
  constructor(config: BalancedAllocatorConfig) {
    this.allocateBy = [...config.allocate_by]
  }

  order(peers: Map<string, Metric[]>): string[] {
    return balancedOrder(byName(peers), this.allocateBy)
  }

  allocate(pin: Pin, input: AllocationInput): string[] {
    const { replicationMin: rmin, replicationMax: rmax } = input
    if (rmin === 0 && rmax === 0) throw new InvalidArgumentError(`bad replication factors: ${rmin}/${rmax}`)
    if (rmin < 0 && rmax < 0) return []
    // Valid current peers in the order of the existing allocation list (deterministic).
    const validCurrent = pin.allocations.filter((p) => input.current.has(p))
    for (const p of input.current.keys()) if (!validCurrent.includes(p)) validCurrent.push(p)
    const needed = rmin - validCurrent.length
    const wanted = rmax - validCurrent.length
    if (wanted < 0) return validCurrent.slice(0, rmax)
    if (needed <= 0) return [...pin.allocations]
    const available = input.candidates.size + input.priority.size
    if (available < needed) throw new NotEnoughPeersError(needed, wanted, available)
    const ordered = [...this.order(input.priority), ...this.order(input.candidates)]
    if (ordered.length < needed) throw new NotEnoughPeersError(needed, wanted, ordered.length)
    return [...validCurrent, ...ordered.slice(0, Math.min(wanted, ordered.length))]
  }
}

/** Creates the balanced allocator. */
export function createBalancedAllocator(config: BalancedAllocatorConfig): Allocator & { order(peers: Map<string, Metric[]>): string[] } {
  return new BalancedAllocator(config)
}
