/**
 * Anti-entropy sync over a libp2p stream (`/pinmesh/pinset-sync/1.0.0`). The puller sends
 * one REQUEST frame (format version, and per shard its snapshot hash and state vector); the
 * server answers, for each shard whose hash differs, the Yjs diff against the puller's state
 * vector in CHUNK frames of at most `sync_chunk_size` bytes, then DONE. The puller validates
 * and applies each shard's diff when its last chunk arrives — only if the server is trusted.
 * The puller ACKs every chunk it has consumed; the server keeps at most 8 chunks unACKed.
 * Anyone may pull (followers read the pinset); cost grows with what is missing.
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { FORMAT_VERSION } from './defaults.js'
import { countRejected, metrics } from './metrics.js'
import type { ShardedPinset } from './pinset.js'
import { decodeFrame, encodeAck, encodeChunk, encodeDone, encodeError, encodeRequest, type ShardState, type SyncFrame, WireError } from './wire.js'

export const SYNC_PROTOCOL = '/pinmesh/pinset-sync/1.0.0'
const FRAME_TIMEOUT = 30_000
/** A whole pull ends (and frees its slot) after this, whatever happens on the stream. */
const SESSION_TIMEOUT = 10 * 60_000
const CLOSE_TIMEOUT = 5_000

/** Closes a stream gracefully, or aborts it when the other side does not answer in time. */
async function closeStream(stream: Stream): Promise<void> {
  try {
    await stream.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT) })
  } catch (err) {
    stream.abort(err as Error)
  }
}

function frameSignal(session?: AbortSignal): AbortSignal {
  return session === undefined ? AbortSignal.timeout(FRAME_TIMEOUT) : AbortSignal.any([AbortSignal.timeout(FRAME_TIMEOUT), session])
}
/** Largest diff of one shard a puller assembles. */
const MAX_SHARD_DIFF = 512 * 1024 * 1024
/** Chunks a server sends before it waits for the puller's ACK (flow control). */
const WINDOW = 8

export interface SyncResult {
  /** Shards whose diff was received. */
  shards: number
  /** Bytes of diffs received. */
  bytes: number
  /** Whether the diffs were applied (the server is trusted). */
  applied: boolean
}

export class Sync {
  readonly stats = { served: 0, pulled: 0, rejected: 0 }
  private readonly pulling = new Map<string, Promise<SyncResult>>()
  private readonly lastPull = new Map<string, number>()

  constructor(
    private readonly libp2p: Libp2p,
    private readonly pinset: ShardedPinset,
    private readonly trusted: (peer: string) => boolean,
    private readonly log: Logger,
  ) {}

  private get maxFrame(): number {
    return this.pinset.config.sync_chunk_size + 64 + this.pinset.config.shards * 1024
  }

  private timer: NodeJS.Timeout | undefined
  private round = 0
  private lastPeriodic = 0
  /** Set by the gossip side: whether a peer's latest digest shows it behind us. */
  peerIsBehind: (peer: PeerId) => boolean = () => false
  /** Set by the gossip side: whether gossip keeps arriving with nothing missing underneath. */
  gossipFlowing: () => boolean = () => false

  async start(): Promise<void> {
    await this.libp2p.handle(SYNC_PROTOCOL, (stream, connection) => this.serve(stream, connection), { maxInboundStreams: 4 })
    const every = this.pinset.config.digest_interval
    if (every > 0) this.timer = setInterval(() => void this.pullFromNextPeer(), every * 3)
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.libp2p.unhandle(SYNC_PROTOCOL)
  }

  /**
   * Anti-entropy that does not depend on gossip: every 3 digest intervals (30 while gossip
   * flows with nothing missing), pull from the next
   * connected trusted peer that speaks the sync protocol (round robin). Equal shards cost one
   * hash comparison each, so this is cheap when nothing is missing; it heals a peer whose
   * gossip (messages and digests) stopped arriving.
   */
  private async pullFromNextPeer(): Promise<void> {
    if (this.pinset.isClosed) return
    // While gossip keeps arriving and no update waits for a lost one, a pull would mostly move
    // what gossip is delivering anyway (its state vectors go stale while it streams): then pull
    // only every 30 digest intervals, which still heals a lost removal.
    const every = this.pinset.config.digest_interval
    const now = Date.now()
    if (this.gossipFlowing() && now - this.lastPeriodic < every * 30) return
    this.lastPeriodic = now
    const candidates: PeerId[] = []
    for (const peer of this.libp2p.getPeers()) {
      if (!this.trusted(peer.toString())) continue
      try {
        const info = await this.libp2p.peerStore.get(peer)
        if (info.protocols.includes(SYNC_PROTOCOL)) candidates.push(peer)
      } catch {}
    }
    if (candidates.length === 0) return
    const next = candidates[this.round++ % candidates.length] as PeerId
    // A peer whose latest digest shows it behind us has nothing we lack but (maybe) a removal,
    // which reaches us once it has caught up; it pulls from us meanwhile.
    if (!this.peerIsBehind(next)) this.schedule(next)
  }

  /** Our per-shard states, as sent in a REQUEST. */
  states(): ShardState[] {
    const out: ShardState[] = []
    for (let i = 0; i < this.pinset.shards.count; i++) {
      out.push({ hash: this.pinset.shards.hash(i), stateVector: Y.encodeStateVector(this.pinset.shards.shard(i).doc) })
    }
    return out
  }

  /** Serves one pull. */
  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const lp = lpStream(stream, { maxDataLength: this.maxFrame })
    try {
      const raw = await lp.read({ signal: AbortSignal.timeout(FRAME_TIMEOUT) })
      let frame: SyncFrame
      try {
        frame = decodeFrame(raw.subarray(), this.pinset.config.shards)
      } catch (err) {
        this.reject(err)
        await lp.write(encodeError('malformed request'), { signal: frameSignal() })
        await closeStream(stream)
        return
      }
      if (frame.type !== 'request' || frame.format !== FORMAT_VERSION || frame.shards !== this.pinset.config.shards) {
        this.reject(new WireError(frame.type !== 'request' ? 'unexpected-frame' : 'format'))
        await lp.write(encodeError(`expected a request for format ${FORMAT_VERSION} with ${this.pinset.config.shards} shards`), { signal: frameSignal() })
        await closeStream(stream)
        return
      }
      let sentChunks = 0
      let acked = 0
      const bytes = await this.sendDiffs(frame.states, async (data, isChunk) => {
        while (isChunk && sentChunks - acked >= WINDOW) {
          const ack = decodeFrame((await lp.read({ signal: AbortSignal.timeout(FRAME_TIMEOUT) })).subarray(), this.pinset.config.shards)
          if (ack.type !== 'ack' || ack.chunks > sentChunks) throw new WireError('unexpected-frame')
          acked = ack.chunks
        }
        await lp.write(data, { signal: AbortSignal.timeout(FRAME_TIMEOUT) })
        if (isChunk) sentChunks++
      })
      await closeStream(stream)
      this.stats.served++
      metrics.syncSessions.inc({ role: 'server', result: 'ok' })
      metrics.syncBytes.inc({ direction: 'sent' }, bytes)
      this.log.debug({ peer, bytes }, 'served a sync pull')
    } catch (err) {
      metrics.syncSessions.inc({ role: 'server', result: 'error' })
      this.log.warn({ err, peer }, 'sync serve failed')
      stream.abort(err as Error)
    }
  }

  /** Writes CHUNK frames for every differing shard, then DONE; returns the diff bytes sent. */
  async sendDiffs(states: ShardState[], write: (frame: Uint8Array, isChunk: boolean) => Promise<void>): Promise<number> {
    const chunk = this.pinset.config.sync_chunk_size
    let bytes = 0
    let sent = 0
    for (let i = 0; i < states.length; i++) {
      const theirs = states[i] as ShardState
      if (Buffer.from(theirs.hash).equals(this.pinset.shards.hash(i))) continue
      const diff = Y.encodeStateAsUpdate(this.pinset.shards.shard(i).doc, theirs.stateVector)
      for (let at = 0; at < diff.length || at === 0; at += chunk) {
        const end = Math.min(diff.length, at + chunk)
        await write(encodeChunk(i, end === diff.length, diff.subarray(at, end)), true)
        if (end === diff.length) break
      }
      bytes += diff.length
      sent++
    }
    await write(encodeDone(sent), false)
    return bytes
  }

  /** Pulls what `peer` has and we lack. One pull per peer at a time. */
  pull(peer: PeerId, signal?: AbortSignal): Promise<SyncResult> {
    const key = peer.toString()
    const running = this.pulling.get(key)
    if (running !== undefined) return running
    const p = this.doPull(peer, signal).finally(() => {
      this.pulling.delete(key)
      this.lastPull.set(key, Date.now())
    })
    this.pulling.set(key, p)
    return p
  }

  /** Pulls from `peer` unless a pull ran in the last second; errors are logged. */
  schedule(peer: PeerId): void {
    const key = peer.toString()
    if (this.pulling.has(key) || Date.now() - (this.lastPull.get(key) ?? 0) < 1000 || this.pinset.isClosed) return
    this.pull(peer).catch((err) => this.log.warn({ err, peer: key }, 'sync pull failed'))
  }

  private async doPull(peer: PeerId, signal?: AbortSignal): Promise<SyncResult> {
    const session = AbortSignal.any([AbortSignal.timeout(SESSION_TIMEOUT), ...(signal ? [signal] : [])])
    const stream = await this.libp2p.dialProtocol(peer, SYNC_PROTOCOL, { signal: frameSignal(session) })
    const lp = lpStream(stream, { maxDataLength: this.maxFrame })
    try {
      await lp.write(encodeRequest(FORMAT_VERSION, this.states()), { signal: frameSignal(session) })
      const receiver = this.receiver(peer.toString())
      let chunks = 0
      for (;;) {
        const raw = await lp.read({ signal: frameSignal(session) })
        const result = await receiver(raw.subarray())
        if (result === undefined) await lp.write(encodeAck(++chunks), { signal: frameSignal(session) })
        if (result !== undefined) {
          await closeStream(stream)
          metrics.syncSessions.inc({ role: 'client', result: 'ok' })
          this.stats.pulled++
          return result
        }
      }
    } catch (err) {
      metrics.syncSessions.inc({ role: 'client', result: 'error' })
      stream.abort(err as Error)
      throw err
    }
  }

  /**
   * A puller's frame handler: feeds frames one by one, returns the result after DONE. Throws
   * `WireError` on a malformed or unexpected frame (the session ends, nothing more applied).
   * Exposed for the fuzz tests.
   */
  receiver(peer: string): (frame: Uint8Array) => Promise<SyncResult | undefined> {
    const trusted = this.trusted(peer)
    const parts = new Map<number, Uint8Array[]>()
    const sizes = new Map<number, number>()
    const done = new Set<number>()
    let bytes = 0
    return async (raw) => {
      let frame: SyncFrame
      try {
        frame = decodeFrame(raw, this.pinset.config.shards)
        if (frame.type === 'error') throw new WireError('peer-error')
        if (frame.type === 'request' || frame.type === 'ack') throw new WireError('unexpected-frame')
        if (frame.type === 'done') {
          if (frame.sent !== done.size || parts.size > 0) throw new WireError('incomplete')
          return { shards: done.size, bytes, applied: trusted }
        }
        if (done.has(frame.shard)) throw new WireError('duplicate-shard')
        const size = (sizes.get(frame.shard) ?? 0) + frame.data.length
        if (size > MAX_SHARD_DIFF) throw new WireError('too-large')
        sizes.set(frame.shard, size)
        const list = parts.get(frame.shard) ?? []
        list.push(frame.data)
        parts.set(frame.shard, list)
        if (!frame.final) return undefined
        parts.delete(frame.shard)
        done.add(frame.shard)
        const update = concat(list, size)
        bytes += size
        metrics.syncBytes.inc({ direction: 'received' }, size)
        if (trusted) {
          await this.pinset.applyRemote([{ shard: frame.shard, update }], 'sync')
          metrics.remoteUpdates.inc({ via: 'sync' })
        }
        return undefined
      } catch (err) {
        this.reject(err)
        throw err instanceof WireError ? err : new WireError('error')
      }
    }
  }

  private reject(err: unknown): void {
    this.stats.rejected++
    countRejected('sync', err instanceof WireError ? err.reason : 'error')
  }
}

function concat(list: Uint8Array[], size: number): Uint8Array {
  if (list.length === 1) return list[0] as Uint8Array
  const out = new Uint8Array(size)
  let at = 0
  for (const part of list) {
    out.set(part, at)
    at += part.length
  }
  return out
}
