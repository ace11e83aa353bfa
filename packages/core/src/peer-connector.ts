/**
 * Keeps this peer connected to its cluster: dials `--bootstrap` addresses, `peer_addresses` and
 * the persisted `peerstore` at start, dials peers found by mDNS, re-dials known cluster peers
 * periodically, and saves the members' addresses to the `peerstore` file.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { KEEP_ALIVE } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { readPeerstoreFile, writePeerstoreFile } from './peerstore-file.js'

export interface PeerConnectorConfig {
  /** Path of the `peerstore` file. */
  peerstore_file: string
  /** Permanent bootstrap addresses (`cluster.peer_addresses`). */
  peer_addresses: string[]
  /** How often known peers that are not connected are re-dialed (ms). */
  rebootstrap_interval: number
  dial_timeout: number
}

export interface PeerConnectorComponents {
  libp2p: Libp2p
  logger: Logger
  /** The current peerset (saved to the peerstore file). */
  members(): string[]
  isRemoved(peer: string): boolean
  /** Called when a cluster peer connects. */
  onConnect?(peer: string): void
}

function splitAddress(addr: string): { peer: PeerId; ma: ReturnType<typeof multiaddr> } {
  const ma = multiaddr(addr)
  const id = ma.getComponents().findLast((c) => c.name === 'p2p')?.value
  if (id === undefined) throw new Error(`${addr} has no /p2p/<peer id>`)
  return { peer: peerIdFromString(id), ma }
}

export class PeerConnector {
  private readonly log: Logger
  private controller: AbortController | undefined
  private readonly known = new Map<string, PeerId>()
  private redialing = false

  constructor(
    private readonly config: PeerConnectorConfig,
    private readonly c: PeerConnectorComponents,
  ) {
    this.log = c.logger.child({ component: 'peers' })
  }

  private readonly onDiscovery = (evt: CustomEvent<{ id: PeerId }>) => {
    const peer = evt.detail.id
    if (this.c.isRemoved(peer.toString()) || this.c.libp2p.getConnections(peer).length > 0) return
    this.log.debug({ peer: peer.toString() }, 'discovered peer, dialing')
    void this.dial(peer)
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>) => {
    const peer = evt.detail
    this.known.set(peer.toString(), peer)
    void this.c.libp2p.peerStore.merge(peer, { tags: { [KEEP_ALIVE]: { value: 1 } } }).catch(() => undefined)
    this.c.onConnect?.(peer.toString())
  }

  /**
   * Starts: imports persisted and permanent addresses, dials them in the background, and dials
   * every `bootstrap` address, waiting for those. Returns the bootstrap peers reached.
   */
  async start(bootstrap: string[]): Promise<string[]> {
    if (this.controller !== undefined) return []
    this.controller = new AbortController()
    const signal = this.controller.signal
    this.c.libp2p.addEventListener('peer:discovery', this.onDiscovery)
    this.c.libp2p.addEventListener('peer:connect', this.onConnect)
    const persisted = await readPeerstoreFile(this.config.peerstore_file, this.log)
    for (const addr of [...this.config.peer_addresses, ...persisted]) {
      try {
        const { peer, ma } = splitAddress(addr)
        if (this.c.isRemoved(peer.toString()) || peer.equals(this.c.libp2p.peerId)) continue
        this.known.set(peer.toString(), peer)
        await this.c.libp2p.peerStore.merge(peer, { multiaddrs: [ma.decapsulateCode(421)] })
      } catch (err) {
        this.log.warn({ addr, err: (err as Error).message }, 'ignoring invalid peer address')
      }
    }
    const reached: string[] = []
    await Promise.all(
      bootstrap.map(async (addr) => {
        try {
          const conn = await this.c.libp2p.dial(multiaddr(addr), { signal: AbortSignal.any([signal, AbortSignal.timeout(this.config.dial_timeout * 5)]) })
          reached.push(conn.remotePeer.toString())
          this.log.info({ addr, peer: conn.remotePeer.toString() }, 'connected to bootstrap peer')
        } catch (err) {
          this.log.warn({ addr, err: (err as Error).message }, 'could not connect to bootstrap peer')
        }
      }),
    )
    void this.redial()
    const timer = setInterval(() => void this.redial(), this.config.rebootstrap_interval)
    signal.addEventListener('abort', () => clearInterval(timer))
    return reached
  }

  async stop(): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    this.c.libp2p.removeEventListener('peer:discovery', this.onDiscovery)
    this.c.libp2p.removeEventListener('peer:connect', this.onConnect)
  }

  /** Forgets a peer (removed from the cluster). */
  forget(peer: string): void {
    this.known.delete(peer)
  }

  private async dial(peer: PeerId): Promise<void> {
    try {
      await this.c.libp2p.dial(peer, { signal: AbortSignal.timeout(this.config.dial_timeout * 5) })
    } catch (err) {
      this.log.debug({ peer: peer.toString(), err: (err as Error).message }, 'dial failed')
    }
  }

  /**
   * Re-dials known peers that are not connected. Members learned only from gossip (their pings
   * reached us through another peer) are looked up in the DHT first.
   */
  private async redial(): Promise<void> {
    if (this.redialing) return
    this.redialing = true
    try {
      await this.redialOnce()
    } finally {
      this.redialing = false
    }
  }

  private async redialOnce(): Promise<void> {
    const self = this.c.libp2p.peerId.toString()
    for (const id of this.c.members()) {
      if (id !== self && !this.known.has(id)) this.known.set(id, peerIdFromString(id))
    }
    await Promise.all(
      [...this.known].map(async ([id, peer]) => {
        if (this.controller === undefined) return
        if (this.c.isRemoved(id) || this.c.libp2p.getConnections(peer).length > 0) return
        const known = await this.c.libp2p.peerStore.get(peer).then(
          (p) => p.addresses.length > 0,
          () => false,
        )
        if (!known) {
          try {
            await this.c.libp2p.peerRouting.findPeer(peer, { signal: AbortSignal.timeout(this.config.dial_timeout * 5) })
          } catch (err) {
            this.log.debug({ peer: id, err: (err as Error).message }, 'peer not found in the DHT')
            return
          }
        }
        await this.dial(peer)
      }),
    )
  }

  /** Writes the members' known addresses to the peerstore file. */
  async save(): Promise<void> {
    const self = this.c.libp2p.peerId.toString()
    const lines: string[] = []
    for (const id of this.c.members()) {
      if (id === self) continue
      try {
        const p = await this.c.libp2p.peerStore.get(peerIdFromString(id))
        for (const a of p.addresses) lines.push(`${a.multiaddr.toString()}/p2p/${id}`)
      } catch {
        // no addresses known
      }
    }
    await writePeerstoreFile(this.config.peerstore_file, lines)
  }
}

export function createPeerConnector(config: PeerConnectorConfig, components: PeerConnectorComponents): PeerConnector {
  return new PeerConnector(config, components)
}
