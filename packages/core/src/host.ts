/**
 * The cluster's libp2p host: TCP, noise, yamux, identify, ping, the private network from the
 * cluster secret, gossipsub (`pubsub`), a kad-dht on a private protocol name (`dht`) for peer
 * routing, and mDNS discovery when `mdns_interval > 0`.
 *
 * The host does not dial by itself (libp2p 3 has no auto-dialer): `PeerConnector` dials
 * discovered, bootstrap and persisted peers.
 */
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { ConnectionProtector, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { Logger } from 'pino'
import { type ClusterSectionConfig, decodeSecret } from './config/cluster-config.js'
import { privateNetwork } from './pnet/protector.js'

/** The DHT protocol of pinmesh clusters: never the public IPFS DHT. */
export const DHT_PROTOCOL = '/pinmesh/kad/1.0.0'
/** The mDNS service tag pinmesh peers announce and query. */
export const MDNS_SERVICE_TAG = '_pinmesh-discovery._udp.local'

export type HostConfig = Pick<
  ClusterSectionConfig,
  | 'secret'
  | 'listen_multiaddress'
  | 'announce_multiaddress'
  | 'no_announce_multiaddress'
  | 'connection_manager'
  | 'pubsub'
  | 'dial_peer_timeout'
  | 'mdns_interval'
>

export interface HostComponents {
  privateKey: PrivateKey
  logger: Logger
  /** Peers refused at dial and at connection (removed from the cluster). */
  isDenied?(peer: PeerId): boolean
}

export type ClusterHost = Awaited<ReturnType<typeof buildHost>>

function buildHost(config: HostConfig, components: HostComponents) {
  const secret = decodeSecret(config.secret)
  const f = config.pubsub.d_factor
  const denied = (peer: PeerId) => components.isDenied?.(peer) === true
  return createLibp2p({
    privateKey: components.privateKey,
    addresses: {
      listen: config.listen_multiaddress,
      ...(config.announce_multiaddress.length > 0 ? { announce: config.announce_multiaddress } : {}),
      ...(config.no_announce_multiaddress.length > 0 ? { noAnnounce: config.no_announce_multiaddress } : {}),
    },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...(secret !== undefined
      ? { connectionProtector: privateNetwork({ secret, logger: components.logger.child({ component: 'pnet' }) }) as () => ConnectionProtector }
      : {}),
    connectionManager: { maxConnections: config.connection_manager.high_water, dialTimeout: config.dial_peer_timeout },
    // A connection busy with a large transfer answers libp2p's keep-alive ping late; do not kill
    // it for that (dead peers leave the peerset by their ping metric's TTL, TCP notices the rest).
    connectionMonitor: { abortConnectionOnPingFailure: false },
    connectionGater: {
      denyDialPeer: async (peer) => denied(peer),
      denyInboundEncryptedConnection: async (peer) => denied(peer),
      denyOutboundEncryptedConnection: async (peer) => denied(peer),
    },
    peerDiscovery: config.mdns_interval > 0 ? [mdns({ interval: config.mdns_interval, serviceTag: MDNS_SERVICE_TAG })] : [],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        floodPublish: config.pubsub.flood_publish,
        heartbeatInterval: config.pubsub.heartbeat_interval,
        seenTTL: config.pubsub.seen_messages_ttl,
        mcacheGossip: config.pubsub.history_gossip,
        mcacheLength: config.pubsub.history_length,
        D: 6 * f,
        Dlo: 5 * f,
        Dhi: 12 * f,
        Dscore: 4 * f,
        Dout: 2 * f,
        Dlazy: 6 * f,
      }),
      // Cluster peers usually share a LAN: keep private and loopback addresses in DHT answers.
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, allowQueryWithZeroPeers: true, peerInfoMapper: passthroughMapper }),
    },
  })
}

/** Creates (but does not start) the cluster host. */
export async function createHost(config: HostConfig, components: HostComponents): Promise<ClusterHost> {
  if (config.secret === '') components.logger.warn('cluster.secret is empty: this peer runs on an unprotected network that any libp2p peer can join')
  return buildHost(config, components)
}

export type { Libp2p }
