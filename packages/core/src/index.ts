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
export { type AddComponents, addContent, localIpfsOrigins } from './add.js'
export { Cluster, type ClusterComponents, type ClusterConfig, validateReplication } from './cluster.js'
export { createHost, type HostInit } from './host.js'
export { type Identity, loadOrCreateIdentity } from './identity.js'
export { localRepoStat, repoGcLocal, resolveIpfsPath } from './ipfs-ops.js'
export {
  type IpfsSwarmConnector,
  type IpfsSwarmConnectorComponents,
  type IpfsSwarmConnectorConfig,
  startIpfsSwarmConnector,
} from './ipfs-swarm.js'
