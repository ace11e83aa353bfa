/**
 * The `cluster` section of `service.json` (reference §5.3): upstream's keys and defaults, parsed
 * once at start into a complete typed config. Durations are milliseconds.
 */
import { hostname } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidConfigError } from '@pinmesh/interface'
import { ConfigReader } from './reader.js'

export interface ClusterSectionConfig {
  peername: string
  /** 64 hex characters (32 bytes), or `""` for an unprotected network. */
  secret: string
  leave_on_shutdown: boolean
  listen_multiaddress: string[]
  announce_multiaddress: string[]
  no_announce_multiaddress: string[]
  enable_relay_hop: boolean
  connection_manager: { high_water: number; low_water: number; grace_period: number }
  pubsub: {
    seen_messages_ttl: number
    heartbeat_interval: number
    d_factor: number
    history_gossip: number
    history_length: number
    flood_publish: boolean
  }
  dial_peer_timeout: number
  state_sync_interval: number
  pin_recover_interval: number
  replication_factor_min: number
  replication_factor_max: number
  monitor_ping_interval: number
  peer_watch_interval: number
  /** > 0 enables mDNS discovery. */
  mdns_interval: number
  pin_only_on_trusted_peers: boolean
  pin_only_on_untrusted_peers: boolean
  disable_repinning: boolean
  follower_mode: boolean
  peerstore_file: string
  peer_addresses: string[]
}

/** Default values as upstream writes them (durations as Go strings), for `init`. */
export const CLUSTER_DEFAULTS = {
  leave_on_shutdown: false,
  listen_multiaddress: ['/ip4/0.0.0.0/tcp/9096'],
  announce_multiaddress: [] as string[],
  no_announce_multiaddress: [] as string[],
  enable_relay_hop: false,
  connection_manager: { high_water: 400, low_water: 100, grace_period: '2m0s' },
  pubsub: { seen_messages_ttl: '30m0s', heartbeat_interval: '1s', d_factor: 4, history_gossip: 2, history_length: 6, flood_publish: false },
  dial_peer_timeout: '3s',
  state_sync_interval: '5m0s',
  pin_recover_interval: '12m0s',
  replication_factor_min: -1,
  replication_factor_max: -1,
  monitor_ping_interval: '15s',
  peer_watch_interval: '5s',
  mdns_interval: '10s',
  pin_only_on_trusted_peers: false,
  pin_only_on_untrusted_peers: false,
  disable_repinning: true,
  /** pinmesh (docs/orchestration.md): a silent peer's pins move only after this grace period. */
  repin_grace_period: '1m0s',
  /** pinmesh: re-allocated pins written per second at most. */
  repin_rate: 1000,
  peer_addresses: [] as string[],
}

/** A fresh cluster secret: 32 random bytes as 64 hex characters. */
export function generateSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
}

/** Decodes the secret to 32 bytes, or `undefined` for an empty secret (public network). */
export function decodeSecret(secret: string): Uint8Array | undefined {
  return secret === '' ? undefined : new Uint8Array(Buffer.from(secret, 'hex'))
}

function multiaddrs(r: ConfigReader, key: string, fallback: string[]): string[] {
  const list = r.stringList(key, fallback)
  list.forEach((addr, i) => {
    try {
      multiaddr(addr)
    } catch (err) {
      throw new InvalidConfigError(
        `${r.at(key)}[${i}]`,
        `must be a multiaddress such as /ip4/0.0.0.0/tcp/9096, got ${JSON.stringify(addr)} (${(err as Error).message})`,
      )
    }
  })
  return list
}

function replication(min: number, max: number, path: string): void {
  if (min === 0 || max === 0) throw new InvalidConfigError(`${path}.replication_factor_min`, 'and max must be set (non-zero)')
  if ((min === -1) !== (max === -1)) throw new InvalidConfigError(`${path}.replication_factor_min`, 'and max must be -1 when one of them is')
  if (min > max) throw new InvalidConfigError(`${path}.replication_factor_min`, `is larger than max (${min} > ${max})`)
}

/** Parses the `cluster` section; throws `InvalidConfigError` naming the key path. */
export function parseClusterConfig(value: unknown, path = 'cluster'): ClusterSectionConfig {
  const r = new ConfigReader(value, path)
  const d = CLUSTER_DEFAULTS
  const secret = r.string('secret', '').trim().toLowerCase()
  if (secret !== '' && !/^[0-9a-f]{64}$/.test(secret)) {
    throw new InvalidConfigError(r.at('secret'), `must be 64 hexadecimal characters (32 bytes), got ${secret.length} characters`)
  }
  const cm = r.child('connection_manager')
  const connection_manager = {
    high_water: cm.int('high_water', d.connection_manager.high_water, 1),
    low_water: cm.int('low_water', d.connection_manager.low_water, 1),
    grace_period: cm.duration('grace_period', 120_000),
  }
  if (connection_manager.low_water > connection_manager.high_water) {
    throw new InvalidConfigError(cm.at('low_water'), `must be <= high_water (${connection_manager.low_water} > ${connection_manager.high_water})`)
  }
  const ps = r.child('pubsub')
  const config: ClusterSectionConfig = {
    peername: r.string('peername', hostname()),
    secret,
    leave_on_shutdown: r.bool('leave_on_shutdown', d.leave_on_shutdown),
    listen_multiaddress: multiaddrs(r, 'listen_multiaddress', d.listen_multiaddress),
    announce_multiaddress: multiaddrs(r, 'announce_multiaddress', []),
    no_announce_multiaddress: multiaddrs(r, 'no_announce_multiaddress', []),
    enable_relay_hop: r.bool('enable_relay_hop', d.enable_relay_hop),
    connection_manager,
    pubsub: {
      seen_messages_ttl: ps.duration('seen_messages_ttl', 30 * 60_000, 1),
      heartbeat_interval: ps.duration('heartbeat_interval', 1000, 1),
      d_factor: ps.int('d_factor', d.pubsub.d_factor, 1),
      history_gossip: ps.int('history_gossip', d.pubsub.history_gossip, 1),
      history_length: ps.int('history_length', d.pubsub.history_length, 1),
      flood_publish: ps.bool('flood_publish', d.pubsub.flood_publish),
    },
    dial_peer_timeout: r.duration('dial_peer_timeout', 3000, 1),
    state_sync_interval: r.duration('state_sync_interval', 5 * 60_000, 1),
    pin_recover_interval: r.duration('pin_recover_interval', 12 * 60_000, 1),
    replication_factor_min: r.int('replication_factor_min', d.replication_factor_min, -1),
    replication_factor_max: r.int('replication_factor_max', d.replication_factor_max, -1),
    monitor_ping_interval: r.duration('monitor_ping_interval', 15_000, 1),
    peer_watch_interval: r.duration('peer_watch_interval', 5000, 1),
    mdns_interval: r.duration('mdns_interval', 10_000),
    pin_only_on_trusted_peers: r.bool('pin_only_on_trusted_peers', false),
    pin_only_on_untrusted_peers: r.bool('pin_only_on_untrusted_peers', false),
    disable_repinning: r.bool('disable_repinning', d.disable_repinning),
    follower_mode: r.bool('follower_mode', false),
    peerstore_file: r.string('peerstore_file', 'peerstore'),
    peer_addresses: multiaddrs(r, 'peer_addresses', []),
  }
  if (config.listen_multiaddress.length === 0) throw new InvalidConfigError(r.at('listen_multiaddress'), 'must list at least one address')
  if (config.peername === '') throw new InvalidConfigError(r.at('peername'), 'must not be empty')
  replication(config.replication_factor_min, config.replication_factor_max, path)
  if (config.pin_only_on_trusted_peers && config.pin_only_on_untrusted_peers) {
    throw new InvalidConfigError(r.at('pin_only_on_trusted_peers'), 'and pin_only_on_untrusted_peers cannot both be true')
  }
  return config
}
