/**
 * Role contracts. Each implementation lives in its own package and depends only on this one;
 * `apps/peer` is the one place that wires concrete implementations together.
 */
import type { AddedOutput, Alert, GlobalPinInfo, GlobalRepoGC, ID, Metric, Pin, PinInfo, PinOptions, RepoGC } from './types.js'

/** Cancellation for every async call. */
export interface AbortOptions {
  signal?: AbortSignal
}

/** Start/stop lifecycle. Both are idempotent. */
export interface Startable {
  start(): Promise<void>
  stop(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Pinset

/** A change of the pinset, local or remote. `previous` is the value replaced or removed. */
export type PinsetChange =
  | { type: 'added'; cid: string; pin: Pin; origin: 'local' | 'remote' }
  | { type: 'updated'; cid: string; pin: Pin; previous: Pin; origin: 'local' | 'remote' }
  | { type: 'removed'; cid: string; previous: Pin; origin: 'local' | 'remote' }

export interface PinsetEvents {
  change: CustomEvent<PinsetChange>
}

/**
 * The shared, replicated pinset. Writes are durable once their promise resolves (the update is
 * on disk); concurrent writes of one CID on different peers converge to the same value
 * everywhere.
 */
export interface Pinset {
  /** Resolves once the stored state is loaded and the pinset can serve reads and writes. */
  ready(): Promise<void>
  /** Adds or replaces a pin. Resolves when durable. Throws `QueueFullError` when the write queue is full. Idempotent. */
  put(pin: Pin, options?: AbortOptions): Promise<void>
  /** Removes a pin. Resolves when durable; removing an absent CID is a no-op. */
  remove(cid: string, options?: AbortOptions): Promise<void>
  /** The current pin for a CID, or `undefined`. */
  get(cid: string): Promise<Pin | undefined>
  has(cid: string): Promise<boolean>
  /** Streams every pin, without materialising the whole set. */
  list(options?: AbortOptions): AsyncIterable<Pin>
  /** Number of live pins. */
  size(): Promise<number>
  /** A digest of the state; equal digests mean equal states. */
  digest(): Promise<string>
  /** Typed `change` events for local and remote changes. */
  addEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void
  removeEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void
  /** Flushes pending writes and closes storage. Idempotent. */
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// IPFS

export interface IpfsPinProgress {
  /** Blocks fetched so far. */
  blocks: number
}

export interface IpfsPinOptions extends AbortOptions {
  /** -1 recursive, 0 direct, N>0 depth-limited. Defaults to -1. */
  maxDepth?: number
  onProgress?(progress: IpfsPinProgress): void
  /** Multiaddresses (with `/p2p/<id>`) of IPFS nodes that hold the content; up to 10 are dialled first, best effort. */
  origins?: string[]
  /** A CID pinned before that this pin replaces; the node may update that pin instead of pinning from scratch. */
  pinUpdate?: string | null
}

export interface IpfsPinLsEntry {
  cid: string
  type: 'recursive' | 'direct' | 'indirect'
}

export interface IpfsRepoStat {
  repoSize: number
  storageMax: number
  numObjects: number
}

export interface IpfsAddOptions extends AbortOptions {
  cidVersion?: 0 | 1
  rawLeaves?: boolean
  chunker?: string
  wrapWithDirectory?: boolean
  trickle?: boolean
  hashAlg?: string
  /** `balanced` (default) or `trickle`. */
  layout?: 'balanced' | 'trickle'
  /** Include files whose names start with a dot when adding directories. */
  hidden?: boolean
  /** Pin the root recursively in the node as part of the add (saves walking the DAG again later). Nodes may ignore it. */
  pin?: boolean
  onProgress?(name: string, bytes: number): void
}

/**
 * The entries of an upload. When they come from an HTTP request in Kubo's multipart encoding,
 * `multipart` offers the raw body instead: a node that speaks that encoding itself (Kubo) may
 * take it and stream it through untouched. Taking the raw body and iterating the entries are
 * mutually exclusive.
 */
export type IpfsAddEntries = AsyncIterable<IpfsAddEntry> & {
  multipart?: { contentType: string; take(): AsyncIterable<Uint8Array> }
}

/** Result of importing a CAR file into the node. */
export interface IpfsDagImportResult {
  roots: string[]
  /** Number of blocks read and their total size in bytes. */
  blocks: number
  bytes: number
}

export interface IpfsAddEntry {
  /** Path in the upload, `/`-separated; directories may be empty-content entries. */
  path: string
  content?: AsyncIterable<Uint8Array> | Uint8Array
}

/** An IPFS node: Kubo over its RPC API or an embedded Helia node. */
export interface IpfsConnector {
  /** The node's peer ID and addresses. Throws `IpfsError` when the node is unreachable. */
  id(options?: AbortOptions): Promise<{ id: string; addresses: string[] }>
  /** Pins a CID (fetching blocks as needed). Idempotent. */
  pin(cid: string, options?: IpfsPinOptions): Promise<void>
  /**
   * Pins several CIDs recursively in one request, where the node has a cheaper way than one
   * request per CID. Resolves when every one is pinned; rejects when any failed, and then some
   * may be pinned and some not: pin them one by one to learn which failed and why.
   */
  pinMany?(cids: string[], options?: AbortOptions & Pick<IpfsPinOptions, 'onProgress'>): Promise<void>
  /** Unpins a CID; "not pinned" is success. */
  unpin(cid: string, options?: AbortOptions): Promise<void>
  /** The pin type of one CID, or `undefined` when not pinned. */
  pinLsCid(cid: string, options?: AbortOptions): Promise<IpfsPinLsEntry['type'] | undefined>
  /** Streams every recursive and direct pin. */
  pinLs(options?: AbortOptions): AsyncIterable<IpfsPinLsEntry>
  repoStat(options?: AbortOptions): Promise<IpfsRepoStat>
  /** Runs garbage collection; yields removed keys. */
  repoGc(options?: AbortOptions): AsyncIterable<{ key: string | null; error?: string }>
  blockPut(bytes: Uint8Array, options?: AbortOptions & { format?: string; mhtype?: string }): Promise<string>
  blockGet(cid: string, options?: AbortOptions): Promise<Uint8Array>
  /** Imports files; yields one entry per file/dir, the root last. */
  add(entries: IpfsAddEntries, options?: IpfsAddOptions): AsyncIterable<{ path: string; cid: string; size: number }>
  swarmConnect(addr: string, options?: AbortOptions): Promise<void>
  /** Imports the blocks of a CAR stream without pinning them. */
  dagImport?(car: AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<IpfsDagImportResult>
  /** Resolves an IPFS path (`/ipfs/<cid>/a/b`) to the CID it points to. */
  resolve?(path: string, options?: AbortOptions): Promise<string>
}

// ---------------------------------------------------------------------------------------------
// Tracking, allocation, monitoring

/** Makes the local IPFS node pin what is allocated here and reports per-peer status. */
export interface PinTracker extends Startable {
  /** Starts pinning (or releasing, if allocated elsewhere) a pin from the shared state. */
  track(pin: Pin): Promise<void>
  /** Starts unpinning a CID removed from the shared state. */
  untrack(cid: string): Promise<void>
  status(cid: string, options?: AbortOptions): Promise<PinInfo>
  /** Streams local status for every pin in the state, filtered by a status bit mask (0 = all). */
  statusAll(filter: number, options?: AbortOptions): AsyncIterable<PinInfo>
  /** Re-queues a failed pin or unpin; returns the status after queueing. */
  recover(cid: string, options?: AbortOptions): Promise<PinInfo>
  recoverAll(options?: AbortOptions): AsyncIterable<PinInfo>
  /** Pin operations waiting in a queue right now (the `pinqueue` informer's value). */
  pinQueueSize(): number
}

/** Pure: decides which peers hold a pin (reference §7.3, §7.4). Same inputs → same answer on every peer. */
export interface Allocator {
  /** The metric names allocation needs, outermost partition first (`allocator.balanced.allocate_by`). */
  readonly allocateBy: readonly string[]
  /**
   * Returns the peers that should hold `pin`, ordered by preference. `pin.allocations` are its
   * current allocations (`[]` for a new pin). `input.current` holds the metrics of the valid
   * (live) current peers, `candidates` of the others, `priority` of `user_allocations` peers;
   * each peer maps to one metric per `allocateBy` name. Returns `[]` for factors -1/-1, the
   * existing list unchanged while at least `replicationMin` current peers are valid. Throws
   * `NotEnoughPeersError` when fewer than the minimum are available.
   */
  allocate(pin: Pin, input: AllocationInput): string[]
}

export interface AllocationInput {
  current: Map<string, Metric[]>
  candidates: Map<string, Metric[]>
  priority: Map<string, Metric[]>
  replicationMin: number
  replicationMax: number
}

/** Produces one kind of metric about this peer. */
export interface Informer {
  readonly name: string
  getMetric(options?: AbortOptions): Promise<Metric>
}

export interface MonitorEvents {
  alert: CustomEvent<Alert>
}

/** Publishes local metrics, keeps the latest valid metric per peer and raises alerts on expiry. */
export interface Monitor extends Startable {
  publish(metric: Metric): Promise<void>
  /** Latest valid, unexpired metric of `name` for each peer. */
  latestMetrics(name: string): Metric[]
  metricNames(): string[]
  alerts(): Alert[]
  addEventListener(type: 'alert', listener: (event: CustomEvent<Alert>) => void): void
  removeEventListener(type: 'alert', listener: (event: CustomEvent<Alert>) => void): void
}

// ---------------------------------------------------------------------------------------------
// The facade the HTTP APIs and inter-peer RPC serve.

export interface PinResult {
  pin: Pin
}

/**
 * What a cluster peer offers to its APIs. Methods throw named errors from `errors.ts`; the HTTP
 * layer maps them to status codes. Capabilities not built yet throw `NotImplementedError`.
 */
export interface ClusterApi {
  id(options?: AbortOptions): Promise<ID>
  version(): string
  /** Streams the ID of every member; unreachable peers carry `error`. */
  peers(options?: AbortOptions): AsyncIterable<ID>
  peerRemove(peer: string, options?: AbortOptions): Promise<void>
  /** Validates options, applies defaults, allocates and commits. Returns the pin as stored. */
  pin(cid: string, options: PinOptions, signal?: AbortSignal): Promise<Pin>
  /** Resolves an IPFS path (`/ipfs/<cid>/sub`) to a CID. */
  resolve(path: string, options?: AbortOptions): Promise<string>
  /** Removes a pin; returns the pin as it was. Throws `PinNotFoundError`. */
  unpin(cid: string, options?: AbortOptions): Promise<Pin>
  /** The pin as stored. Throws `PinNotFoundError`. */
  allocation(cid: string, options?: AbortOptions): Promise<Pin>
  allocations(options?: AbortOptions): AsyncIterable<Pin>
  status(cid: string, options?: AbortOptions & { local?: boolean }): Promise<GlobalPinInfo>
  statusAll(filter: number, options?: AbortOptions & { local?: boolean }): AsyncIterable<GlobalPinInfo>
  recover(cid: string, options?: AbortOptions & { local?: boolean }): Promise<GlobalPinInfo>
  recoverAll(options?: AbortOptions & { local?: boolean }): AsyncIterable<GlobalPinInfo>
  repoGc(options?: AbortOptions & { local?: boolean }): Promise<GlobalRepoGC>
  repoGcLocal(options?: AbortOptions): Promise<RepoGC>
  metricNames(): string[]
  metrics(name: string): Metric[]
  alerts(): Alert[]
  /** Adds content to the local IPFS node and pins it through the cluster. */
  add?(entries: IpfsAddEntries, options: ClusterAddOptions): AsyncIterable<AddedOutput>
  /** Repository size and capacity of the IPFS nodes of the cluster, summed over reachable peers. */
  ipfsRepoStat?(options?: AbortOptions): Promise<IpfsRepoStat>
}

/** Options of `ClusterApi.add` (reference §1.11): pin options plus how to build the DAG. */
export interface ClusterAddOptions extends PinOptions, IpfsAddOptions {
  /** `unixfs` (default) builds a UnixFS DAG; `car` imports exactly one CAR file with one root. */
  format?: 'unixfs' | 'car'
  /** Put blocks only into the local node but do not create a cluster pin. */
  noPin?: boolean
  /** Emit byte-progress events (`cid: null`). */
  progress?: boolean
  /** Keep the local peer among the allocations. */
  local?: boolean
}
