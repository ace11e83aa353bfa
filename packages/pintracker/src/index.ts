/**
 * @pinmesh/pintracker — makes the local IPFS node pin what the shared pinset allocates to this
 * peer, and reports per-peer status from shared state × what IPFS really pins × in-flight
 * operations (reference §6).
 *
 * This is the foundation's tracker: one operation per CID, `concurrent_pins` workers, status and
 * recover. The orchestration issue adds priority queues, retries with backoff and the rest.
 *
 * @example
 * ```ts
 * const tracker = createPinTracker({ concurrent_pins: 10 }, { ipfs, pinset, peerId, peername })
 * await tracker.start()           // reconciles the pinset with IPFS and follows changes
 * ```
 */
import type { AbortOptions, IpfsConnector, Pin, PinInfo, Pinset, PinsetChange, PinTracker, TrackerStatus } from '@pinmesh/interface'
import { formatTime, statusMatches } from '@pinmesh/interface'
import type { Logger } from 'pino'

export interface PinTrackerConfig {
  concurrent_pins: number
}

export interface PinTrackerComponents {
  ipfs: IpfsConnector
  pinset: Pinset
  peerId: string
  peername: string
  logger: Logger
}

type OpType = 'pin' | 'unpin'
type Phase = 'queued' | 'in_progress' | 'error'

interface Operation {
  type: OpType
  phase: Phase
  pin?: Pin
  error: string
  attempts: number
  timestamp: string
  controller: AbortController
}

const STATUS: Record<OpType, Record<Phase, TrackerStatus>> = {
  pin: { queued: 'pin_queued', in_progress: 'pinning', error: 'pin_error' },
  unpin: { queued: 'unpin_queued', in_progress: 'unpinning', error: 'unpin_error' },
}

/** True when `peerId` must pin `pin` (allocated to it, or pinned everywhere). */
export function isAllocatedTo(pin: Pin, peerId: string): boolean {
  return pin.replication_factor_min === -1 || pin.allocations.length === 0 || pin.allocations.includes(peerId)
}

class SimplePinTracker implements PinTracker {
  private readonly ops = new Map<string, Operation>()
  private readonly queue: string[] = []
  private running = 0
  private started = false
  private readonly onChange = (event: CustomEvent<PinsetChange>) => {
    const change = event.detail
    if (change.type === 'removed') void this.untrack(change.cid)
    else void this.track(change.pin)
  }

  constructor(
    private readonly config: PinTrackerConfig,
    private readonly c: PinTrackerComponents,
  ) {}

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    this.c.pinset.addEventListener('change', this.onChange)
    for await (const pin of this.c.pinset.list()) {
      if (isAllocatedTo(pin, this.c.peerId) && (await this.c.ipfs.pinLsCid(pin.cid).catch(() => undefined)) === undefined) {
        await this.track(pin)
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.c.pinset.removeEventListener('change', this.onChange)
    for (const op of this.ops.values()) op.controller.abort()
    this.ops.clear()
    this.queue.length = 0
  }

  async track(pin: Pin): Promise<void> {
    if (isAllocatedTo(pin, this.c.peerId)) this.enqueue(pin.cid, 'pin', pin)
    else this.enqueue(pin.cid, 'unpin')
  }

  async untrack(cid: string): Promise<void> {
    this.enqueue(cid, 'unpin')
  }

  private enqueue(cid: string, type: OpType, pin?: Pin): void {
    const existing = this.ops.get(cid)
    if (existing !== undefined && existing.type === type && existing.phase !== 'error') {
      if (pin !== undefined) existing.pin = pin
      return
    }
    existing?.controller.abort()
    this.ops.set(cid, {
      type,
      phase: 'queued',
      ...(pin !== undefined ? { pin } : {}),
      error: '',
      attempts: existing?.type === type ? existing.attempts : 0,
      timestamp: formatTime(Date.now()),
      controller: new AbortController(),
    })
    this.queue.push(cid)
    this.drain()
  }

  private drain(): void {
    while (this.running < this.config.concurrent_pins && this.queue.length > 0) {
      const cid = this.queue.shift() as string
      const op = this.ops.get(cid)
      if (op === undefined || op.phase !== 'queued') continue
      this.running++
      void this.apply(cid, op).finally(() => {
        this.running--
        this.drain()
      })
    }
  }

  private async apply(cid: string, op: Operation): Promise<void> {
    op.phase = 'in_progress'
    op.attempts++
    op.timestamp = formatTime(Date.now())
    try {
      if (op.type === 'pin') await this.c.ipfs.pin(cid, { signal: op.controller.signal, maxDepth: op.pin?.max_depth ?? -1 })
      else await this.c.ipfs.unpin(cid, { signal: op.controller.signal })
      if (this.ops.get(cid) === op) this.ops.delete(cid)
      this.c.logger.debug({ cid, op: op.type }, 'operation done')
    } catch (err) {
      if (op.controller.signal.aborted) return
      op.phase = 'error'
      op.error = err instanceof Error ? err.message : String(err)
      op.timestamp = formatTime(Date.now())
      this.c.logger.warn({ cid, op: op.type, err: op.error }, 'operation failed')
    }
  }

  private info(cid: string, pin: Pin | undefined, status: TrackerStatus, extra: Partial<PinInfo> = {}): PinInfo {
    return {
      cid,
      name: pin?.name ?? '',
      peer: this.c.peerId,
      allocations: pin?.allocations ?? [],
      origins: pin?.origins ?? [],
      created: pin?.timestamp ?? formatTime(Date.now()),
      metadata: pin?.metadata ?? null,
      peername: this.c.peername,
      status,
      timestamp: pin?.timestamp ?? formatTime(Date.now()),
      error: '',
      attempt_count: 0,
      priority_pin: false,
      ...extra,
    }
  }

  private async statusOf(cid: string, pin: Pin | undefined, options?: AbortOptions): Promise<PinInfo> {
    const op = this.ops.get(cid)
    if (op !== undefined) {
      return this.info(cid, pin ?? op.pin, STATUS[op.type][op.phase], { timestamp: op.timestamp, error: op.error, attempt_count: op.attempts })
    }
    if (pin === undefined) return this.info(cid, undefined, 'unpinned')
    if (!isAllocatedTo(pin, this.c.peerId)) return this.info(cid, pin, 'remote')
    try {
      const type = await this.c.ipfs.pinLsCid(cid, options)
      if (type === undefined || type === 'indirect') return this.info(cid, pin, 'unexpectedly_unpinned', { error: 'the item should be pinned but it is not' })
      return this.info(cid, pin, 'pinned')
    } catch (err) {
      return this.info(cid, pin, 'cluster_error', { error: err instanceof Error ? err.message : String(err) })
    }
  }

  async status(cid: string, options?: AbortOptions): Promise<PinInfo> {
    return this.statusOf(cid, await this.c.pinset.get(cid), options)
  }

  async *statusAll(filter: number, options?: AbortOptions): AsyncIterable<PinInfo> {
    for await (const pin of this.c.pinset.list(options)) {
      const info = await this.statusOf(pin.cid, pin, options)
      if (statusMatches(info.status, filter)) yield info
    }
  }

  async recover(cid: string, options?: AbortOptions): Promise<PinInfo> {
    const info = await this.status(cid, options)
    if (info.status === 'pin_error' || info.status === 'unexpectedly_unpinned') {
      const pin = await this.c.pinset.get(cid)
      if (pin !== undefined) this.enqueue(cid, 'pin', pin)
    } else if (info.status === 'unpin_error') {
      this.enqueue(cid, 'unpin')
    } else {
      return info
    }
    return this.status(cid, options)
  }

  async *recoverAll(options?: AbortOptions): AsyncIterable<PinInfo> {
    for await (const info of this.statusAll(0, options)) {
      if (info.status === 'pin_error' || info.status === 'unexpectedly_unpinned' || info.status === 'unpin_error') yield this.recover(info.cid, options)
    }
  }
}

export function createPinTracker(config: PinTrackerConfig, components: PinTrackerComponents): PinTracker {
  return new SimplePinTracker(config, components)
}
