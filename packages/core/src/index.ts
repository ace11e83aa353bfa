/**
 * @pinmesh/core — the Cluster orchestrator: the libp2p host, identity, and the `ClusterApi`
 * facade wiring pinset ↔ tracker ↔ IPFS.
 *
 * @example
 * ```ts
 * const identity = await loadOrCreateIdentity(dir)
 * const libp2p = await createHost({ privateKey: identity.privateKey, listen: ['/ip4/0.0.0.0/tcp/9096'] })
 * const cluster = new Cluster(config, { libp2p, pinset, tracker, ipfs, logger })
 * ```
 */

export { type AllocationComponents, type AllocationRequest, allocatePin } from './allocation.js'
export { distance, isClosest } from './closest.js'
export { Cluster, type ClusterComponents, type ClusterConfig, validateReplication } from './cluster.js'
export { createExpireHook, type ExpireHookComponents } from './expiry.js'
export { createHost, type HostInit } from './host.js'
export { type Identity, loadOrCreateIdentity } from './identity.js'
export {
  createRepinner,
  parseRepinningConfig,
  REPINNING_DEFAULTS,
  Repinner,
  type RepinningComponents,
  type RepinningConfig,
  type RepinReport,
} from './repinning.js'
