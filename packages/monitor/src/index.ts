/**
 * @pinmesh/monitor — metrics and membership signals of a pinmesh cluster: informers produce
 * metrics about this peer, the gossipsub monitor publishes them with TTLs, keeps the newest
 * valid metric per (name, peer) and raises alerts when one expires (reference §8).
 *
 * @example
 * ```ts
 * const monitor = createPubsubMonitor({ check_interval: 15_000, cluster_name: 'ipfs-cluster' },
 *   { pubsub: libp2p.services.pubsub, peerId, logger })
 * monitor.addInformer(createPingInformer({ ttl: 30_000 }, { peerId, peername }), 15_000)
 * await monitor.start()
 * monitor.latestMetrics('ping')   // one live ping per member
 * ```
 */
export { MONITOR_DEFAULTS, type MonitorConfig, parsePubsubmonConfig } from './config.js'
export * from './informers/index.js'
export { createPingInformer, isPublicAddress, type PingInformerComponents, type PingValue, parsePingValue, pingValue } from './informers/ping.js'
export { isLive, MetricStore } from './metric-store.js'
export {
  createPubsubMonitor,
  type InformerLike,
  type MetricsPubSub,
  metricsTopic,
  type PubSubMessage,
  PubsubMonitor,
  type PubsubMonitorComponents,
} from './pubsub-monitor.js'
export { msToNs, nowNs } from './time.js'
