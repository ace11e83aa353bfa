/**
 * The Cluster: the `ClusterApi` facade over the pinset, the tracker, the IPFS node and the other
 * peers. It validates pins, applies defaults, allocates, commits to the pinset, and answers
 * status. Peer-related parts live beside it: membership (`membership.ts`), cluster-wide status
 * fan-out (`global-status.ts`), inter-peer RPC (`rpc/`).
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type {
  AbortOptions,
  AddedOutput,
  Alert,
  Allocator,
  ClusterAddOptions,
  ClusterApi,
  GlobalPinInfo,
  GlobalRepoGC,
  ID,
  IpfsAddEntries,
  IpfsConnector,
  IpfsRepoStat,
  Metric,
  Monitor,
  Pin,
  PinInfo,
  PinOptions,
  Pinset,
  PinTracker,
  RepoGC,
} from '@pinmesh/interface'
import {
  API_VERSION,
  FollowerModeError,
  InvalidArgumentError,
  mergePinInfo,
  NotEnoughPeersError,
  newPin,
  PinNotFoundError,
  parseCid,
  RPC_PROTOCOL,
  timeToMillis,
  ZERO_TIME,
} from '@pinmesh/interface'
import type { Logger } from 'pino'
import { addContent } from './add.js'
import { allocatePin } from './allocation.js'
import { type FanoutComponents, globalPinInfo, globalPinInfos } from './global-status.js'
import { localRepoStat, resolveIpfsPath } from './ipfs-ops.js'
import type { Membership } from './membership.js'
import type { RpcClient } from './rpc/client.js'
import type { RpcHandlers } from './rpc/server.js'

export interface ClusterConfig {
  peername: string
  replication_factor_min: number
  replication_factor_max: number
  follower_mode: boolean
}

export interface ClusterComponents {
  libp2p: Libp2p
  pinset: Pinset
  tracker: PinTracker
  ipfs: IpfsConnector
  logger: Logger
  monitor: Monitor
  membership: Membership
  rpc: RpcClient
  /** The balanced allocator (`allocation.ts`); without it pins are allocated to this peer alone. */
  allocator?: Allocator
  /** Allocation policy (`pin_only_on_trusted_peers` / `_untrusted_`): false drops a peer. */
  acceptAllocation?: (peer: string) => boolean
}

/** Validates a replication pair as upstream does (reference §5.3). */
export function validateReplication(min: number, max: number, prefix = 'cluster'): void {
  if (min === 0 || max === 0) throw new InvalidArgumentError(`${prefix}.replication_factor_min and max must be set`)
  if (min < -1) throw new InvalidArgumentError(`${prefix}.replication_factor_min is wrong`)
  if (max < -1) throw new InvalidArgumentError(`${prefix}.replication_factor_max is wrong`)
  if ((min === -1) !== (max === -1)) throw new InvalidArgumentError(`${prefix}.replication_factor_min and max must be -1 when one of them is`)
  if (min > max) throw new InvalidArgumentError(`${prefix}.replication_factor_min is larger than max`)
}

export class Cluster implements ClusterApi {
  readonly peerId: string
  constructor(
    private readonly config: ClusterConfig,
    private readonly c: ClusterComponents,
  ) {
    this.peerId = c.libp2p.peerId.toString()
  }

  version(): string {
    return API_VERSION
  }

  async id(options?: AbortOptions): Promise<ID> {
    const addresses = this.c.libp2p.getMultiaddrs().map((a) => a.toString())
    let ipfs: ID['ipfs']
    try {
      const id = await this.c.ipfs.id(options)
      ipfs = { id: id.id, addresses: id.addresses, error: '' }
    } catch (err) {
      ipfs = { addresses: null, error: err instanceof Error ? err.message : String(err) }
    }
    const peers = this.c.membership.peers()
    const peerAddresses = (await Promise.all(peers.filter((p) => p !== this.peerId).map((p) => this.c.membership.addresses(p)))).flat()
    return {
      id: this.peerId,
      addresses: addresses.length > 0 ? addresses : null,
      cluster_peers: peers,
      cluster_peers_addresses: peerAddresses,
      version: API_VERSION,
      commit: '',
      rpc_protocol_version: RPC_PROTOCOL,
      error: '',
      ipfs,
      peername: this.config.peername,
    }
  }

  /** Streams the ID of every member (asked over RPC); unreachable peers carry `error`. */
  async *peers(options?: AbortOptions): AsyncIterable<ID> {
    const signal = AbortSignal.any([AbortSignal.timeout(15_000), ...(options?.signal ? [options.signal] : [])])
    const pending = new Map<string, Promise<{ peer: string; id: ID | undefined }>>()
    for (const peer of this.c.membership.peers()) {
      const ask = peer === this.peerId ? this.id({ signal }) : this.c.rpc.id(peer, { signal })
      pending.set(
        peer,
        ask.then(
          (id) => ({ peer, id }),
          (err: Error) => ({ peer, id: err.name === 'RpcUnauthorizedError' ? undefined : this.unreachable(peer, err) }),
        ),
      )
    }
    while (pending.size > 0) {
      const { peer, id } = await Promise.race(pending.values())
      pending.delete(peer)
      if (id !== undefined) yield id
    }
  }

  private unreachable(peer: string, err: Error): ID {
    return {
      id: peer,
      addresses: null,
      cluster_peers: [],
      cluster_peers_addresses: [],
      version: '',
      commit: '',
      rpc_protocol_version: '',
      error: err.message,
      ipfs: { addresses: null, error: '' },
      peername: this.c.membership.peerInfo(peer).peer_name ?? '',
    }
  }

  /** Removes a peer for good: forgotten, refused and untrusted (see `Membership.remove`). */
  async peerRemove(peer: string): Promise<void> {
    try {
      peerIdFromString(peer)
    } catch (err) {
      throw new InvalidArgumentError(`error decoding Peer ID: ${(err as Error).message}`)
    }
    if (peer === this.peerId) throw new InvalidArgumentError('a peer cannot remove itself; remove it from another peer')
    await this.c.membership.remove(peer)
  }

  async pin(cid: string, options: PinOptions): Promise<Pin> {
    if (this.config.follower_mode) throw new FollowerModeError()
    parseCid(cid)
    const pin = newPin(cid, options)
    pin.replication_factor_min = options.replication_factor_min === 0 ? this.config.replication_factor_min : options.replication_factor_min
    pin.replication_factor_max = options.replication_factor_max === 0 ? this.config.replication_factor_max : options.replication_factor_max
    validateReplication(pin.replication_factor_min, pin.replication_factor_max, 'cluster')
    if (pin.expire_at !== ZERO_TIME && timeToMillis(pin.expire_at) < Date.now()) throw new InvalidArgumentError('pin.ExpireAt set before current time')
    const existing = await this.c.pinset.get(cid)
    if (existing !== undefined && existing.type !== pin.type) {
      throw new InvalidArgumentError(
        `cannot repin CID with different tracking method, clear state with pin rm to proceed. New: ${pin.type}. Was: ${existing.type}`,
      )
    }
    if (pin.replication_factor_min !== -1) pin.allocations = this.allocate(pin, existing)
    pin.user_allocations = null
    await this.c.pinset.put(pin)
    return pin
  }

  /** Chooses the peers for a pin from the monitor's metrics (reference §7; `allocation.ts`). */
  private allocate(pin: Pin, existing: Pin | undefined): string[] {
    const allocator = this.c.allocator
    if (allocator === undefined) {
      if (pin.replication_factor_min > 1) throw new NotEnoughPeersError(pin.replication_factor_min, pin.replication_factor_max, 1)
      return [this.peerId]
    }
    return allocatePin(
      { pin, existing, ...(this.c.acceptAllocation !== undefined ? { accept: this.c.acceptAllocation } : {}) },
      { allocator, metricsOf: (name) => this.c.monitor.latestMetrics(name) },
    )
  }

  async resolve(path: string, options?: AbortOptions): Promise<string> {
    return resolveIpfsPath(this.c.ipfs, path, options)
  }

  add(entries: IpfsAddEntries, options: ClusterAddOptions): AsyncIterable<AddedOutput> {
    const pin = (cid: string, o: PinOptions) => this.pin(cid, o)
    return addContent({ ipfs: this.c.ipfs, pin, peerId: this.peerId, logger: this.c.logger }, entries, options)
  }

  /** Repository usage summed over every member's IPFS node; members that fail are skipped (as upstream's proxy does). */
  async ipfsRepoStat(options?: AbortOptions): Promise<IpfsRepoStat> {
    const total: IpfsRepoStat = { repoSize: 0, storageMax: 0, numObjects: 0 }
    const peers = this.c.membership.peers()
    const stats = await Promise.all(
      (peers.includes(this.peerId) ? peers : [this.peerId, ...peers]).map((peer) =>
        (peer === this.peerId ? localRepoStat(this.c.ipfs, options) : this.c.rpc.repoStat(peer, options)).catch((err: Error) => {
          this.c.logger.debug({ peer, err: err.message }, 'repo stat of a member failed')
          return undefined
        }),
      ),
    )
    for (const s of stats) {
      if (s === undefined) continue
      total.repoSize += s.repoSize
      total.storageMax += s.storageMax
      total.numObjects += s.numObjects
    }
    return total
  }

  async unpin(cid: string): Promise<Pin> {
    if (this.config.follower_mode) throw new FollowerModeError()
    parseCid(cid)
    const pin = await this.c.pinset.get(cid)
    if (pin === undefined) throw new PinNotFoundError(cid)
    await this.c.pinset.remove(cid)
    return pin
  }

  async allocation(cid: string): Promise<Pin> {
    parseCid(cid)
    const pin = await this.c.pinset.get(cid)
    if (pin === undefined) throw new PinNotFoundError(cid)
    return pin
  }

  allocations(options?: AbortOptions): AsyncIterable<Pin> {
    return this.c.pinset.list(options)
  }

  private global(info: PinInfo): GlobalPinInfo {
    return mergePinInfo(undefined, info)
  }

  private readonly fanout: FanoutComponents = {
    self: '',
    members: () => this.c.membership.peers(),
    peerInfo: (peer) => this.c.membership.peerInfo(peer),
    status: (peer, cid, o) => (peer === this.peerId ? this.c.tracker.status(cid, o) : this.c.rpc.status(peer, cid, o)),
    recover: (peer, cid, o) => (peer === this.peerId ? this.c.tracker.recover(cid, o) : this.c.rpc.recover(peer, cid, o)),
    statusAll: (peer, filter, o) => (peer === this.peerId ? this.c.tracker.statusAll(filter, o) : this.c.rpc.statusAll(peer, filter, o)),
    recoverAll: (peer, o) => (peer === this.peerId ? this.c.tracker.recoverAll(o) : this.c.rpc.recoverAll(peer, o)),
  }

  async status(cid: string, options?: AbortOptions & { local?: boolean }): Promise<GlobalPinInfo> {
    parseCid(cid)
    if (options?.local || this.config.follower_mode) return this.global(await this.c.tracker.status(cid, options))
    return globalPinInfo(this.fanout, cid, await this.c.pinset.get(cid), 'status', options)
  }

  async *statusAll(filter: number, options?: AbortOptions & { local?: boolean }): AsyncIterable<GlobalPinInfo> {
    if (options?.local || this.config.follower_mode) {
      for await (const info of this.c.tracker.statusAll(filter, options)) yield this.global(info)
      return
    }
    yield* globalPinInfos(this.fanout, 'statusAll', filter, options)
  }

  async recover(cid: string, options?: AbortOptions & { local?: boolean }): Promise<GlobalPinInfo> {
    parseCid(cid)
    if (options?.local || this.config.follower_mode) return this.global(await this.c.tracker.recover(cid, options))
    const pin = await this.c.pinset.get(cid)
    if (pin === undefined) throw new PinNotFoundError(cid)
    return globalPinInfo(this.fanout, cid, pin, 'recover', options)
  }

  async *recoverAll(options?: AbortOptions & { local?: boolean }): AsyncIterable<GlobalPinInfo> {
    if (options?.local || this.config.follower_mode) {
      for await (const info of this.c.tracker.recoverAll(options)) yield this.global(info)
      return
    }
    yield* globalPinInfos(this.fanout, 'recoverAll', 0, options)
  }

  /** Garbage-collects every member's IPFS repo, one after the other. */
  async repoGc(options?: AbortOptions & { local?: boolean }): Promise<GlobalRepoGC> {
    if (options?.local) return { peer_map: { [this.peerId]: await this.repoGcLocal(options) } }
    const peer_map: GlobalRepoGC['peer_map'] = {}
    for (const peer of this.c.membership.peers()) {
      try {
        peer_map[peer] = peer === this.peerId ? await this.repoGcLocal(options) : await this.c.rpc.repoGc(peer, options)
      } catch (err) {
        if ((err as Error).name === 'RpcUnauthorizedError') continue
        peer_map[peer] = { peer, peername: this.c.membership.peerInfo(peer).peer_name ?? '', keys: [], error: (err as Error).message }
      }
    }
    return { peer_map }
  }

  async repoGcLocal(options?: AbortOptions): Promise<RepoGC> {
    const keys: RepoGC['keys'] = []
    try {
      for await (const k of this.c.ipfs.repoGc(options)) keys.push(k.error ? { key: k.key, error: k.error } : { key: k.key })
    } catch (err) {
      return { peer: this.peerId, peername: this.config.peername, keys, error: (err as Error).message }
    }
    return { peer: this.peerId, peername: this.config.peername, keys }
  }

  metricNames(): string[] {
    return this.c.monitor.metricNames()
  }

  metrics(name: string): Metric[] {
    return this.c.monitor.latestMetrics(name)
  }

  alerts(): Alert[] {
    return this.c.monitor.alerts()
  }

  /** What this peer answers to other peers' RPC calls: its local view. */
  rpcHandlers(): RpcHandlers {
    return {
      id: (o) => this.id(o),
      version: () => this.version(),
      status: (cid, o) => this.c.tracker.status(cid, o),
      statusAll: (filter, o) => this.c.tracker.statusAll(filter, o),
      recover: (cid, o) => this.c.tracker.recover(cid, o),
      recoverAll: (o) => this.c.tracker.recoverAll(o),
      repoGc: (o) => this.repoGcLocal(o),
      repoStat: (o) => localRepoStat(this.c.ipfs, o),
    }
  }
}
