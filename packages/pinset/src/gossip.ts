/**
 * Gossip: after each durable local commit, the shard updates go out on the cluster's topic
 * in messages of at most `max_message_size` bytes, signed by gossipsub (StrictSign) with the
 * sender's libp2p key. Received messages are checked in the topic validator: unsigned or
 * untrusted signers are ignored (not applied, not forwarded), malformed ones rejected; both
 * counted. Digest announcements travel on the same topic and trigger a sync pull on mismatch.
 */
import type { GossipSub, Message } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import { countRejected, metrics } from './metrics.js'
import type { ShardedPinset } from './pinset.js'
import { decodeGossip, encodeDigestMessage, encodeUpdateMessage, MESSAGE_OVERHEAD, type ShardUpdate, updateOverhead, WireError } from './wire.js'

export interface GossipStats {
  applied: number
  rejected: number
  untrusted: number
}

export function topicFor(clusterName: string): string {
  return `/pinmesh/pinset/1/${clusterName}`
}

/** Packs shard updates into as few messages as fit `max` bytes each. */
export function packUpdates(shards: number, updates: ShardUpdate[], max: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let current: ShardUpdate[] = []
  let size = MESSAGE_OVERHEAD
  for (const u of updates) {
    const cost = updateOverhead(u.update)
    if (current.length > 0 && size + cost > max) {
      out.push(encodeUpdateMessage(shards, current))
      current = []
      size = MESSAGE_OVERHEAD
    }
    current.push(u)
    size += cost
  }
  if (current.length > 0) out.push(encodeUpdateMessage(shards, current))
  return out
}

export class Gossip {
  readonly topic: string
  readonly stats: GossipStats = { applied: 0, rejected: 0, untrusted: 0 }
  private timer: NodeJS.Timeout | undefined
  private readonly onSubscriptionChange = () => this.announceSoon()
  private soon: NodeJS.Timeout | undefined
  /** When gossip from each peer was last applied (ms). */
  private readonly lastApplied = new Map<string, number>()
  /** When gossip from any peer was last applied (ms). */
  private lastAnyApplied: number | undefined
  /** Each peer's latest announced per-shard clocks, and when they arrived. */
  private readonly announced = new Map<string, { clocks: number[]; at: number }>()

  constructor(
    private readonly pubsub: GossipSub,
    private readonly pinset: ShardedPinset,
    private readonly trusted: (peer: string) => boolean,
    private readonly onDigestMismatch: (peer: PeerId) => void,
    private readonly log: Logger,
  ) {
    this.topic = topicFor(pinset.config.cluster_name)
  }

  start(): void {
    this.pubsub.topicValidators.set(this.topic, (peer, msg) => this.validate(peer, msg))
    this.pubsub.subscribe(this.topic)
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    const every = this.pinset.config.digest_interval
    if (every > 0) this.timer = setInterval(() => void this.announce(), every)
  }

  stop(): void {
    clearInterval(this.timer)
    clearTimeout(this.soon)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.topicValidators.delete(this.topic)
    try {
      this.pubsub.unsubscribe(this.topic)
    } catch {}
  }

  private announceSoon(): void {
    if (this.soon !== undefined || this.pinset.config.digest_interval === 0) return
    this.soon = setTimeout(() => {
      this.soon = undefined
      void this.announce()
    }, 200)
  }

  /** Publishes the shard updates of one commit. Never throws. */
  async publishUpdates(updates: ShardUpdate[]): Promise<void> {
    for (const msg of packUpdates(this.pinset.config.shards, updates, this.pinset.config.max_message_size)) {
      await this.publish(msg)
    }
  }

  /** Publishes this peer's digest. Never throws. */
  async announce(): Promise<void> {
    if (this.pinset.isClosed) return
    await this.publish(encodeDigestMessage(this.pinset.config.shards, this.pinset.shards.rootHash(), this.pinset.shards.clocks()))
  }

  private async publish(msg: Uint8Array): Promise<void> {
    try {
      await this.pubsub.publish(this.topic, msg)
      metrics.gossipSent.inc(msg.length)
      metrics.gossipMessagesSent.inc()
    } catch (err) {
      this.log.debug({ err }, 'gossip publish failed')
    }
  }

  /**
   * True while gossip from `peer` keeps arriving (applied within the last digest interval) and
   * nothing is missing underneath it (no Yjs update waits for a lost one): its digest differs
   * only because its latest commits are still in flight, and a pull would move them twice. A
   * lost message shows up as a pending update (each run builds on the previous one); a lost
   * removal alone is healed by the periodic pull.
   */
  private catchingUpByGossip(peer: PeerId): boolean {
    return this.appliedRecently(this.lastApplied.get(peer.toString()))
  }

  /** Gossip applied at `at` is within the last digest interval, and no update waits for a lost one. */
  private appliedRecently(at: number | undefined): boolean {
    return at !== undefined && Date.now() - at <= this.pinset.config.digest_interval && !this.pinset.shards.hasPending()
  }

  /**
   * Whether a peer whose digest differs from ours may have something we lack. Clocks compare
   * how much each side has integrated per shard: where the peer has no more than we have
   * anywhere and less somewhere, it is behind — it will pull from us, and a removal only it
   * has reaches us once the clocks are level (or by the periodic pull). Where it is ahead, a
   * pull waits while its gossip keeps arriving.
   */
  private worthPulling(peer: PeerId, theirs: number[]): boolean {
    const { ahead, behind } = this.compare(theirs)
    if (!ahead && behind) return false
    return !(ahead && this.catchingUpByGossip(peer))
  }

  private compare(theirs: number[]): { ahead: boolean; behind: boolean } {
    const ours = this.pinset.shards.clocks()
    let ahead = false
    let behind = false
    for (let i = 0; i < ours.length; i++) {
      const t = theirs[i] as number
      const o = ours[i] as number
      if (t > o) ahead = true
      else if (t < o) behind = true
    }
    return { ahead, behind }
  }

  /** True while gossip keeps arriving (applied within the last digest interval) and no update waits for a lost one. */
  flowing(): boolean {
    return this.appliedRecently(this.lastAnyApplied)
  }

  /** True when `peer` announced, within two digest intervals, clocks that are behind ours. */
  isBehind(peer: PeerId): boolean {
    const last = this.announced.get(peer.toString())
    const every = this.pinset.config.digest_interval
    // With announcements off (interval 0) the latest one stays current: nothing refreshes it.
    if (last === undefined || (every > 0 && Date.now() - last.at > 2 * every)) return false
    const { ahead, behind } = this.compare(last.clocks)
    return !ahead && behind
  }

  private validate(peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    if (msg.type !== 'signed') {
      this.stats.rejected++
      countRejected('gossip', 'unsigned')
      return Promise.resolve(TopicValidatorResult.Reject)
    }
    void peer
    return this.receive(msg.from, msg.data)
  }

  /**
   * Handles one message signed by `from`. Exposed for the fuzz tests: the same path the topic
   * validator takes after gossipsub has checked the signature.
   */
  async receive(from: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    metrics.gossipReceived.inc(data.length)
    if (!this.trusted(from.toString())) {
      this.stats.untrusted++
      countRejected('gossip', 'untrusted')
      return TopicValidatorResult.Ignore
    }
    try {
      const msg = decodeGossip(data, this.pinset.config.shards)
      if (msg.type === 'digest') {
        this.announced.set(from.toString(), { clocks: msg.clocks, at: Date.now() })
        if (!Buffer.from(msg.root).equals(this.pinset.shards.rootHash()) && this.worthPulling(from, msg.clocks)) this.onDigestMismatch(from)
        return TopicValidatorResult.Accept
      }
      this.lastAnyApplied = Date.now()
      this.lastApplied.set(from.toString(), this.lastAnyApplied)
      await this.pinset.applyRemote(msg.updates, 'gossip')
      metrics.remoteUpdates.inc({ via: 'gossip' }, msg.updates.length)
      this.stats.applied++
      return TopicValidatorResult.Accept
    } catch (err) {
      if (!(err instanceof WireError)) this.log.warn({ err, from: from.toString() }, 'gossip message failed')
      this.stats.rejected++
      countRejected('gossip', err instanceof WireError ? err.reason : 'error')
      return TopicValidatorResult.Reject
    }
  }
}
