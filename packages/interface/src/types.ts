/**
 * Domain types of pinmesh. They are the wire shapes of upstream IPFS Cluster's REST API
 * (reference §1.10), field for field and in emission order: snake_case names, CIDs and peer IDs
 * as strings, times as RFC 3339 strings, `null` where upstream emits `null`. One shape serves the
 * REST API, state export lines and storage, so no layer translates names.
 */
import type { TrackerStatus } from './status.js'

export type PinType = 'pin' | 'meta-pin' | 'clusterdag-pin' | 'shard-pin' | 'bad-type'
export const PIN_TYPES: readonly PinType[] = ['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin', 'bad-type']

export type PinMode = 'recursive' | 'direct'

/** Options a user gives with a pin (reference §1.7). `0` replication means "cluster default". */
export interface PinOptions {
  replication_factor_min: number
  replication_factor_max: number
  name: string
  mode: PinMode
  shard_size: number
  /** Priority peers for allocation; never persisted (always `null` when read back). */
  user_allocations: string[] | null
  /** RFC 3339; `0001-01-01T00:00:00Z` = never. */
  expire_at: string
  metadata: Record<string, string> | null
  pin_update: string | null
  origins: string[]
}

/** A pin of the shared pinset (reference §1.10.3); also the state export line. */
export interface Pin extends PinOptions {
  cid: string
  type: PinType
  /** Peers that must pin it; `[]` with factors -1/-1 means everywhere. */
  allocations: string[]
  /** -1 recursive, 0 direct, 1/2 for shard pins. */
  max_depth: number
  reference: string | null
  timestamp: string
}

/** Per-peer status entry of a GlobalPinInfo (`PinInfoShort`). */
export interface PinInfoShort {
  peername: string
  ipfs_peer_id?: string
  ipfs_peer_addresses?: string[]
  status: TrackerStatus
  timestamp: string
  error: string
  attempt_count: number
  priority_pin: boolean
}

/** The status of one pin on one peer. */
export interface PinInfo extends PinInfoShort {
  cid: string
  name: string
  peer: string
  allocations: string[]
  origins: string[]
  created: string
  metadata: Record<string, string> | null
}

/** The status of one pin on every peer, keyed by cluster peer ID. */
export interface GlobalPinInfo {
  cid: string
  name: string
  allocations: string[]
  origins: string[]
  created: string
  metadata: Record<string, string> | null
  peer_map: Record<string, PinInfoShort>
}

export interface IpfsId {
  id?: string
  addresses: string[] | null
  error: string
}

/** A cluster peer's identity (reference §1.10.1). */
export interface ID {
  id: string
  addresses: string[] | null
  cluster_peers: string[]
  cluster_peers_addresses: string[]
  version: string
  commit: string
  rpc_protocol_version: string
  error: string
  ipfs: IpfsId
  peername: string
}

/** A metric (reference §1.10.5). `expire` and `received_at` are Unix nanoseconds. */
export interface Metric {
  name: string
  peer: string
  value: string
  expire: bigint
  valid: boolean
  weight: number
  partitionable: boolean
  received_at: bigint
}

/** An alert: the last metric seen for a peer plus when the alert fired. */
export interface Alert extends Metric {
  triggered_at: string
}

/** One line of `/add` output (reference §1.10.7). `cid` is `null` for progress events. */
export interface AddedOutput {
  name: string
  cid: string | null
  bytes?: number
  size?: number
  allocations?: string[]
}

/** `GET /health/graph` (reference §1.10.8). */
export interface ConnectGraph {
  cluster_id: string
  id_to_peername: Record<string, string>
  ipfs_links: Record<string, string[]>
  cluster_links: Record<string, string[]>
  cluster_trust_links: Record<string, boolean>
  cluster_to_ipfs: Record<string, string>
}

export interface RepoGCKey {
  key: string | null
  error?: string
}

export interface RepoGC {
  peer: string
  peername: string
  keys: RepoGCKey[]
  error?: string
}

export interface GlobalRepoGC {
  peer_map: Record<string, RepoGC>
}

/** The `{code, message}` error body of the REST API. */
export interface ApiError {
  code: number
  message: string
}
