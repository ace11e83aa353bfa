/**
 * @pinmesh/pinset — the shared pinset as a sharded Yjs CRDT.
 *
 * Pins live in a power-of-two number of `Y.Doc` shards (chosen by a hash of the CID's
 * multihash), persisted with y-leveldb. Writes are group-committed: a batch is applied per
 * shard, each shard's update is appended to LevelDB, and only then do the writers' promises
 * resolve. With a libp2p host, each commit is gossiped on `/pinmesh/pinset/1/<cluster_name>`
 * (signed, ≤ 1 MiB per message), digests are announced periodically, and peers whose digest
 * differs are pulled from over `/pinmesh/pinset-sync/1.0.0`. Only updates from
 * `trusted_peers` are applied. Design: docs/pinset.md.
 *
 * @example
 * ```ts
 * const pinset = await createPinset(parsePinsetConfig(json.consensus?.crdt, 'consensus.crdt', dir), { libp2p, logger })
 * await pinset.put(pin)        // durable when it resolves
 * for await (const p of pinset.list()) console.log(p.cid)
 * ```
 */
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { AbortOptions, Pin, Pinset, PinsetChange } from '@pinmesh/interface'
import type { Logger } from 'pino'
import { type BatchingConfig, type PinsetConfig, pinsetConfig } from './config.js'
import { Gossip } from './gossip.js'
import { ShardedPinset } from './pinset.js'
import { Sync, type SyncResult } from './sync.js'
import { createTrust } from './trust.js'

export { decodeValue, encodeValue, shardOf } from './codec.js'
export type { BatchingConfig, PinsetConfig } from './config.js'
export { parsePinsetConfig, pinsetConfig } from './config.js'
export { DEFAULTS, FORMAT_VERSION } from './defaults.js'
export { packUpdates, topicFor } from './gossip.js'
export { SYNC_PROTOCOL, Sync, type SyncResult } from './sync.js'
export * as wire from './wire.js'

export interface PinsetComponents {
  /** A libp2p host with gossipsub as the `pubsub` service; absent = local-only. */
  libp2p?: Libp2p<{ pubsub: GossipSub }>
  logger: Logger
}

export type PinsetInit = Partial<Omit<PinsetConfig, 'batching'>> & { path: string; batching?: Partial<BatchingConfig> }

/** The pinset with its network side. */
export interface PinsetNode extends Pinset {
  readonly config: PinsetConfig
  /** Pulls what `peer` has and we lack (anti-entropy); applied only if `peer` is trusted. */
  syncWith(peer: PeerId | string, options?: AbortOptions): Promise<SyncResult>
  /** Announces our digest now (normally periodic). */
  announce(): Promise<void>
  /** Counters for tests and diagnostics. */
  stats(): {
    gossipApplied: number
    gossipRejected: number
    gossipUntrusted: number
    syncServed: number
    syncPulled: number
    syncRejected: number
    queued: number
  }
  /** Internal parts, for tests and tools. */
  readonly internals: { pinset: ShardedPinset; gossip?: Gossip; sync?: Sync }
}

class NetworkedPinset implements PinsetNode {
  readonly internals: PinsetNode['internals']
  constructor(
    private readonly inner: ShardedPinset,
    private readonly gossip: Gossip | undefined,
    private readonly sync: Sync | undefined,
  ) {
    this.internals = { pinset: inner, gossip, sync }
  }
  get config(): PinsetConfig {
    return this.inner.config
  }
  ready(): Promise<void> {
    return this.inner.ready()
  }
  put(pin: Pin, options?: AbortOptions): Promise<void> {
    return this.inner.put(pin, options)
  }
  remove(cid: string, options?: AbortOptions): Promise<void> {
    return this.inner.remove(cid, options)
  }
  get(cid: string): Promise<Pin | undefined> {
    return this.inner.get(cid)
  }
  has(cid: string): Promise<boolean> {
    return this.inner.has(cid)
  }
  list(options?: AbortOptions): AsyncIterable<Pin> {
    return this.inner.list(options)
  }
  size(): Promise<number> {
    return this.inner.size()
  }
  digest(): Promise<string> {
    return this.inner.digest()
  }
  addEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.inner.addEventListener(type, listener)
  }
  removeEventListener(type: 'change', listener: (event: CustomEvent<PinsetChange>) => void): void {
    this.inner.removeEventListener(type, listener)
  }
  async syncWith(peer: PeerId | string, options?: AbortOptions): Promise<SyncResult> {
    if (this.sync === undefined) throw new Error('pinset runs local-only (no libp2p host)')
    return this.sync.pull(typeof peer === 'string' ? peerIdFromString(peer) : peer, options?.signal)
  }
  async announce(): Promise<void> {
    await this.gossip?.announce()
  }
  stats(): ReturnType<PinsetNode['stats']> {
    return {
      gossipApplied: this.gossip?.stats.applied ?? 0,
      gossipRejected: this.gossip?.stats.rejected ?? 0,
      gossipUntrusted: this.gossip?.stats.untrusted ?? 0,
      syncServed: this.sync?.stats.served ?? 0,
      syncPulled: this.sync?.stats.pulled ?? 0,
      syncRejected: this.sync?.stats.rejected ?? 0,
      queued: this.inner.batcher.pending,
    }
  }
  async close(): Promise<void> {
    if (this.inner.isClosed) return
    await this.inner.batcher.flush()
    this.gossip?.stop()
    await this.sync?.stop().catch(() => {})
    await this.inner.close()
  }
}

/**
 * Opens (or creates) the pinset under `config.path`. With `components.libp2p` it joins the
 * cluster's gossip topic and serves the sync protocol; without it, it runs local-only.
 * Throws `StateFormatError` when the stored state has another format or shard count.
 */
export async function createPinset(config: PinsetConfig | PinsetInit, components: PinsetComponents): Promise<PinsetNode> {
  const full = pinsetConfig(config)
  const log = components.logger.child({ component: 'pinset' })
  const inner = await ShardedPinset.open(full, log)
  const libp2p = components.libp2p
  if (libp2p === undefined) return new NetworkedPinset(inner, undefined, undefined)
  const trusted = createTrust(full.trusted_peers)
  const sync = new Sync(libp2p, inner, trusted, log)
  const gossip = new Gossip(libp2p.services.pubsub, inner, trusted, (peer) => sync.schedule(peer), log)
  inner.onCommit = (updates) => void gossip.publishUpdates(updates)
  sync.peerIsBehind = (peer) => gossip.isBehind(peer)
  sync.gossipFlowing = () => gossip.flowing()
  await sync.start()
  gossip.start()
  return new NetworkedPinset(inner, gossip, sync)
}
