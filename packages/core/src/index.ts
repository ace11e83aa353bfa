/**
 * @pinmesh/core — the Cluster orchestrator: the libp2p host on a private network, identity,
 * membership, inter-peer RPC, and the `ClusterApi` facade wiring pinset ↔ tracker ↔ IPFS ↔
 * other peers.
 *
 * @example
 * ```ts
 * const config = parseClusterConfig(json.cluster)            // InvalidConfigError names the key
 * const identity = await loadOrCreateIdentity(dir)
 * const libp2p = await createHost(config, { privateKey: identity.privateKey, logger })
 * const monitor = createPubsubMonitor(..., { pubsub: libp2p.services.pubsub, ... })
 * const membership = new Membership({ peerId, monitor, removed, libp2p, logger })
 * const rpc = createRpcClient({ timeout: 15_000 }, { libp2p })
 * const cluster = new Cluster(config, { libp2p, pinset, tracker, ipfs, logger, monitor, membership, rpc })
 * await createRpcServer(..., { libp2p, handlers: cluster.rpcHandlers(), policy, logger }).start()
 * ```
 */
export { type AddComponents, addContent, localIpfsOrigins } from './add.js'
export { type AllocationComponents, type AllocationRequest, allocatePin } from './allocation.js'
export { distance, isClosest } from './closest.js'
export { Cluster, type ClusterComponents, type ClusterConfig, validateReplication } from './cluster.js'
export { CLUSTER_DEFAULTS, type ClusterSectionConfig, decodeSecret, generateSecret, parseClusterConfig } from './config/cluster-config.js'
export { ConfigReader } from './config/reader.js'
export { createExpireHook, type ExpireHookComponents } from './expiry.js'
export { globalPinInfo, globalPinInfos, syntheticInfo } from './global-status.js'
export { type ClusterHost, createHost, DHT_PROTOCOL, type HostComponents, type HostConfig, MDNS_SERVICE_TAG } from './host.js'
export { type Identity, identityFromKey, loadOrCreateIdentity } from './identity.js'
export { localRepoStat, repoGcLocal, resolveIpfsPath } from './ipfs-ops.js'
export {
  type IpfsSwarmConnector,
  type IpfsSwarmConnectorComponents,
  type IpfsSwarmConnectorConfig,
  startIpfsSwarmConnector,
} from './ipfs-swarm.js'
export { Membership, type MembershipComponents, type MembershipEvents, PEERSET_METRIC } from './membership.js'
export { type MembershipMetricsSource, registerMembershipMetrics } from './membership-metrics.js'
export { createPeerConnector, PeerConnector, type PeerConnectorConfig } from './peer-connector.js'
export { readPeerstoreFile, writePeerstoreFile } from './peerstore-file.js'
export { PrivateNetworkMismatchError, privateNetwork } from './pnet/protector.js'
export { KeystreamExhaustedError, XSalsa20Stream } from './pnet/xsalsa20-stream.js'
export { RemovedPeers } from './removed-peers.js'
export {
  createRepinner,
  parseRepinningConfig,
  REPINNING_DEFAULTS,
  Repinner,
  type RepinningComponents,
  type RepinningConfig,
  type RepinReport,
} from './repinning.js'
export { createRpcClient, RpcClient } from './rpc/client.js'
export { createTrustPolicy, mayCall, OPEN_METHODS, type TrustPolicy } from './rpc/policy.js'
export { decodeFrame, encodeFrame, MAX_FRAME, parseRequest, RPC_METHODS, RpcError, RpcInvalidRequestError, RpcUnauthorizedError } from './rpc/protocol.js'
export { createRpcServer, type RpcHandlers, RpcServer } from './rpc/server.js'
