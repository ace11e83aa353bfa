/**
 * @pinmesh/allocator — the balanced allocator (reference §7): which peers should hold a pin.
 *
 * Pure and deterministic: given the same metrics every peer computes the same allocations.
 * `classifyMetrics` buckets the monitor's latest metrics into current / priority / candidate
 * peers; the allocator decides how many peers are needed and orders them by `allocate_by`
 * (`tag:<name>` partitions first, then pin queue and free space).
 *
 * @example
 * ```ts
 * const allocator = createBalancedAllocator(parseBalancedAllocatorConfig(config.allocator?.balanced))
 * const peers = classifyMetrics(allocator.allocateBy, (n) => monitor.latestMetrics(n), {
 *   current: existing?.allocations, priority: pin.user_allocations, blacklist: [deadPeer],
 * })
 * pin.allocations = allocator.allocate({ ...pin, allocations: existing?.allocations ?? [] }, {
 *   ...peers, replicationMin: pin.replication_factor_min, replicationMax: pin.replication_factor_max,
 * })  // throws NotEnoughPeersError naming needed / wanted / available
 * ```
 */
export { createBalancedAllocator } from './balanced.js'
export { type ClassifiedPeers, type ClassifyOptions, classifyMetrics } from './classify.js'
export { type BalancedAllocatorConfig, DEFAULT_ALLOCATE_BY, parseBalancedAllocatorConfig } from './config.js'
export { balancedOrder } from './partition.js'
