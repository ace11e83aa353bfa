/**
 * The Cluster: the `ClusterApi` facade over the pinset, the tracker and the IPFS node. It
 * validates pins, applies defaults, allocates, commits to the pinset, and answers status.
 */
import type { Libp2p } from '@libp2p/interface'
import type {
  AbortOptions,
  AddedOutput,
  ClusterAddOptions,
  ClusterApi,
  GlobalPinInfo,
  GlobalRepoGC,
  ID,
  IpfsAddEntries,
  IpfsConnector,
  IpfsRepoStat,
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
  NotImplementedError,
  newPin,
  PinNotFoundError,
  parseCid,
  RPC_PROTOCOL,
  timeToMillis,
  ZERO_TIME,
} from '@pinmesh/interface'
import type { Logger } from 'pino'
import { addContent } from './add.js'
import { localRepoStat, repoGcLocal, resolveIpfsPath } from './ipfs-ops.js'

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
    return {
      id: this.peerId,
      addresses: addresses.length > 0 ? addresses : null,
      cluster_peers: [this.peerId],
      cluster_peers_addresses: [],
      version: API_VERSION,
      commit: '',
      rpc_protocol_version: RPC_PROTOCOL,
      error: '',
      ipfs,
      peername: this.config.peername,
    }
  }

  async *peers(options?: AbortOptions): AsyncIterable<ID> {
    yield await this.id(options)
  }

  async peerRemove(): Promise<void> {
    throw new NotImplementedError('removing peers arrives with cluster membership')
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
    if (pin.replication_factor_min !== -1) {
      // Single-peer allocation until the orchestration issue brings the balanced allocator.
      const available = 1
      if (pin.replication_factor_min > available) throw new NotEnoughPeersError(pin.replication_factor_min, pin.replication_factor_max, available)
      pin.allocations = [this.peerId]
    }
    pin.user_allocations = null
    await this.c.pinset.put(pin)
    return pin
  }

  async resolve(path: string, options?: AbortOptions): Promise<string> {
    return resolveIpfsPath(this.c.ipfs, path, options)
  }

  add(entries: IpfsAddEntries, options: ClusterAddOptions): AsyncIterable<AddedOutput> {
    const pin = (cid: string, o: PinOptions) => this.pin(cid, o)
    return addContent({ ipfs: this.c.ipfs, pin, peerId: this.peerId, logger: this.c.logger }, entries, options)
  }

  ipfsRepoStat(options?: AbortOptions): Promise<IpfsRepoStat> {
    return localRepoStat(this.c.ipfs, options)
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

  async status(cid: string, options?: AbortOptions): Promise<GlobalPinInfo> {
    return this.global(await this.c.tracker.status(cid, options))
  }

  async *statusAll(filter: number, options?: AbortOptions): AsyncIterable<GlobalPinInfo> {
    for await (const info of this.c.tracker.statusAll(filter, options)) yield this.global(info)
  }

  async recover(cid: string, options?: AbortOptions): Promise<GlobalPinInfo> {
    return this.global(await this.c.tracker.recover(cid, options))
  }

  async *recoverAll(options?: AbortOptions): AsyncIterable<GlobalPinInfo> {
    for await (const info of this.c.tracker.recoverAll(options)) yield this.global(info)
  }

  async repoGc(options?: AbortOptions): Promise<GlobalRepoGC> {
    return { peer_map: { [this.peerId]: await this.repoGcLocal(options) } }
  }

  async repoGcLocal(options?: AbortOptions): Promise<RepoGC> {
    return repoGcLocal(this.c.ipfs, this.peerId, this.config.peername, options)
  }

  metricNames(): string[] {
    return []
  }

  metrics(): never[] {
    return []
  }

  alerts(): never[] {
    return []
  }
}
