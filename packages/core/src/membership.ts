/**
 * Cluster membership (reference §9.8): the peerset is this peer plus every peer holding a live
 * `ping` metric, sorted by peer ID. A peer joins by publishing pings and leaves ~2 ping intervals
 * after it stops. `remove()` is `DELETE /peers/{id}`: the peer is hung up on, forgotten
 * (metrics, addresses), refused from then on and never trusted again; listeners of
 * `peer:removed` (re-allocation of its pins) are told.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Metric } from '@pinmesh/interface'
import { type PingValue, parsePingValue } from '@pinmesh/monitor'
import type { Logger } from 'pino'
import type { RemovedPeers } from './removed-peers.js'

export const PEERSET_METRIC = 'ping'

export interface MembershipMonitor {
  latestMetrics(name: string): Metric[]
  latestForPeer(name: string, peer: string): Metric | undefined
  removePeer(peer: string): void
}

export interface MembershipComponents {
  peerId: string
  monitor: MembershipMonitor
  removed: RemovedPeers
  libp2p: Pick<Libp2p, 'hangUp' | 'peerStore'>
  logger: Logger
}

export interface MembershipEvents {
  'peer:removed': CustomEvent<{ peer: string }>
}

export class Membership {
  private readonly log: Logger
  private readonly events = new EventTarget()

  constructor(private readonly c: MembershipComponents) {
    this.log = c.logger.child({ component: 'membership' })
  }

  /** The current peerset: self and every peer with a live ping metric, sorted. */
  peers(): string[] {
    const set = new Set([this.c.peerId])
    for (const m of this.c.monitor.latestMetrics(PEERSET_METRIC)) if (!this.c.removed.has(m.peer)) set.add(m.peer)
    return [...set].sort()
  }

  has(peer: string): boolean {
    return this.peers().includes(peer)
  }

  /** What a peer's last ping said about it (peername, IPFS id and addresses), even if expired. */
  peerInfo(peer: string): PingValue {
    const m = this.c.monitor.latestForPeer(PEERSET_METRIC, peer)
    return m === undefined ? {} : parsePingValue(m.value)
  }

  /** Known libp2p addresses of a peer, with `/p2p/<id>`. */
  async addresses(peer: string): Promise<string[]> {
    try {
      const p = await this.c.libp2p.peerStore.get(peerIdFromString(peer))
      return p.addresses.map((a) => `${a.multiaddr.toString()}/p2p/${peer}`)
    } catch {
      return []
    }
  }

  isRemoved(peer: string): boolean {
    return this.c.removed.has(peer)
  }

  /** Removes a peer from the cluster for good (see the module comment). */
  async remove(peer: string): Promise<void> {
    await this.c.removed.add(peer)
    this.c.monitor.removePeer(peer)
    const id = peerIdFromString(peer)
    await this.c.libp2p.hangUp(id).catch(() => undefined)
    await this.c.libp2p.peerStore.delete(id).catch(() => undefined)
    this.log.info({ peer }, 'peer removed from the cluster')
    this.events.dispatchEvent(new CustomEvent('peer:removed', { detail: { peer } }))
  }

  addEventListener<K extends keyof MembershipEvents>(type: K, listener: (evt: MembershipEvents[K]) => void): void {
    this.events.addEventListener(type, listener as (evt: Event) => void)
  }

  removeEventListener<K extends keyof MembershipEvents>(type: K, listener: (evt: MembershipEvents[K]) => void): void {
    this.events.removeEventListener(type, listener as (evt: Event) => void)
  }
}
