/**
 * Allocation for `Cluster.pin` and re-pinning (reference §6.1 step 10, §7): the monitor's latest
 * valid metrics of every `allocate_by` name are bucketed (current / `user_allocations` /
 * candidates, minus the blacklist and peers refused by the trust policy) and handed to the
 * allocator. Deterministic: peers holding the same metrics compute the same allocations.
 */
import { classifyMetrics } from '@pinmesh/allocator'
import type { Allocator, Metric, Pin } from '@pinmesh/interface'

export interface AllocationRequest {
  /** The pin with replication factors already defaulted and validated. */
  pin: Pin
  /** The pin currently in the pinset for this CID, if any (its allocations are kept when healthy). */
  existing?: Pin | undefined
  /** Peers never to choose (e.g. a peer that went down). */
  blacklist?: readonly string[]
  /** `pin_only_on_trusted_peers` and similar policies: false drops a peer. */
  accept?: (peer: string) => boolean
}

export interface AllocationComponents {
  allocator: Allocator
  /** The latest valid, unexpired metric of `name` per peer (`monitor.latestMetrics`). */
  metricsOf: (name: string) => readonly Metric[]
}

/** Computes the allocations of a pin; `[]` for pins everywhere. Throws `NotEnoughPeersError`. */
export function allocatePin(request: AllocationRequest, c: AllocationComponents): string[] {
  const { pin } = request
  if (pin.replication_factor_min < 0 && pin.replication_factor_max < 0) return []
  const current = request.existing?.allocations ?? []
  const classified = classifyMetrics(c.allocator.allocateBy, c.metricsOf, {
    current,
    priority: pin.user_allocations,
    ...(request.blacklist !== undefined ? { blacklist: request.blacklist } : {}),
    ...(request.accept !== undefined ? { accept: request.accept } : {}),
  })
  return c.allocator.allocate(
    { ...pin, allocations: [...current] },
    { ...classified, replicationMin: pin.replication_factor_min, replicationMax: pin.replication_factor_max },
  )
}
