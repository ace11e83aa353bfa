/**
 * The stateless pin tracker (reference §6): the shared pinset is the desired state, the IPFS
 * node's pins the actual state, and an operation table holds only what is in flight or failed.
 *
 * Flow: a pinset `change` (or `track`/`untrack`) creates an operation and puts it in one of three
 * bounded FIFO queues — priority pins (fresh pins that have not failed often), pins, unpins.
 * `concurrent_pins` pin workers always take from the priority queue first; `concurrent_unpins`
 * workers take unpins. A failed operation stays in `pin_error`/`unpin_error` with its message and
 * attempt count and is retried automatically after an exponential backoff
 * (`retry_backoff_min` … `retry_backoff_max`); after `priority_pin_max_retries` attempts it waits in
 * the normal queue, behind fresh pins. A pin that makes no progress for `pin_timeout` is aborted.
 * `recover` re-queues at once. Pins with `expire_at` are removed from the pinset when they expire,
 * through the `expire` hook (the cluster decides which peer does it).
 */
import type { AbortOptions, IpfsConnector, Pin, PinInfo, Pinset, PinsetChange, PinTracker, TrackerStatus } from '@pinmesh/interface'
import { formatDuration, formatTime, statusMatches, TRACKER_STATUS_BITS, timeToMillis, ZERO_TIME } from '@pinmesh/interface'
import type { Logger } from 'pino'
import { PIN_TRACKER_DEFAULTS, type PinTrackerConfig } from './config.js'
import { ExpiryHeap } from './expiry.js'
import { trackerMetrics } from './metrics.js'
import { type Operation, type OpType, opStatus, type Phase, type QueueName } from './operation.js'
import { mapOrdered } from './ordered.js'
import { Fifo } from './queue.js'

export interface PinTrackerComponents {
  ipfs: IpfsConnector
  pinset: Pinset
  peerId: string
  peername: string
  logger: Logger
  /**
   * Removes an expired pin cluster-wide. The cluster provides it (so that one peer acts per CID);
   * without it the tracker removes the pin from the pinset itself.
   */
  expire?: (pin: Pin) => Promise<void>
}

/** True when `peerId` must pin `pin`: allocated to it, or pinned everywhere (factors -1). */
export function isAllocatedTo(pin: Pin, peerId: string): boolean {
  return pin.replication_factor_max < 0 || pin.allocations.includes(peerId)
}

const QUEUE_FULL = 'pin/unpin operation queue is full. Try increasing max_pin_queue_size'
const NOT_PINNED = 'the item should be pinned but it is not'
/** Status lookups against the IPFS node running at once during statusAll / recoverAll. */
const STATUS_CONCURRENCY = 32
const BULK_BITS = TRACKER_STATUS_BITS.pinned | TRACKER_STATUS_BITS.unexpectedly_unpinned | TRACKER_STATUS_BITS.sharded | TRACKER_STATUS_BITS.remote
const RECOVERABLE = TRACKER_STATUS_BITS.pin_error | TRACKER_STATUS_BITS.unpin_error | TRACKER_STATUS_BITS.unexpectedly_unpinned

function message(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

class TimeoutError extends Error {
  override name = 'TimeoutError'
}

export class StatelessPinTracker implements PinTracker {
  private readonly config: PinTrackerConfig
  private readonly log: Logger
  private readonly ops = new Map<string, Operation>()
  private readonly queues: Record<QueueName, Fifo<Operation>> = { priority: new Fifo(), pin: new Fifo(), unpin: new Fifo() }
  /** Pins of a failed batch, to be pinned one by one before anything else (they were taken in order). */
  private readonly solo = new Fifo<Operation>()
  /** Live (not cancelled) queued operations per queue, for capacity checks. */
  private readonly queued: Record<QueueName, number> = { priority: 0, pin: 0, unpin: 0 }
  private readonly counts: Record<OpType, Record<Phase, number>> = {
    pin: { queued: 0, in_progress: 0, error: 0, done: 0 },
    unpin: { queued: 0, in_progress: 0, error: 0, done: 0 },
    remote: { queued: 0, in_progress: 0, error: 0, done: 0 },
  }
  private runningPins = 0
  private runningUnpins = 0
  private started = false
  private shutdown: AbortController | undefined
  private recoverTimer: NodeJS.Timeout | undefined
  private recovering: Promise<void> | undefined
  private readonly expiry = new ExpiryHeap()
  private expiryTimer: NodeJS.Timeout | undefined
  private expiryAt = Number.POSITIVE_INFINITY
  private ipfsId: { id: string; addresses: string[] } | undefined
  private firstPass: PromiseWithResolvers<void> = Promise.withResolvers<void>()
  private readonly onChange = (event: CustomEvent<PinsetChange>) => this.handleChange(event.detail)

  constructor(
    config: Partial<PinTrackerConfig>,
    private readonly c: PinTrackerComponents,
  ) {
    this.config = { ...PIN_TRACKER_DEFAULTS, ...config }
    this.log = c.logger
  }

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    this.shutdown = new AbortController()
    this.firstPass = Promise.withResolvers<void>()
    this.c.pinset.addEventListener('change', this.onChange)
    void this.c.ipfs
      .id({ signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(30_000)]) })
      .then((id) => {
        this.ipfsId = id
      })
      .catch(() => {})
    // Reconcile with what IPFS holds (pins that arrived while down, pins lost from IPFS), then
    // again every pin_recover_interval. Runs in the background: a big pinset must not delay start.
    this.scheduleRecover(0)
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.shutdown?.abort()
    this.c.pinset.removeEventListener('change', this.onChange)
    clearTimeout(this.recoverTimer)
    clearTimeout(this.expiryTimer)
    this.expiryAt = Number.POSITIVE_INFINITY
    for (const op of this.ops.values()) this.cancel(op)
    this.ops.clear()
    for (const q of Object.values(this.queues)) q.clear()
    this.solo.clear()
    this.queued.priority = this.queued.pin = this.queued.unpin = 0
    this.expiry.clear()
    this.firstPass.resolve()
    await this.recovering?.catch(() => {})
  }

  /** Resolves when the reconcile pass started by `start()` has gone through the whole pinset. */
  reconciled(): Promise<void> {
    return this.firstPass.promise
  }

  /** Pin operations waiting in a queue (the `pinqueue` informer's value). */
  pinQueueSize(): number {
    return this.counts.pin.queued
  }

  // -------------------------------------------------------------------------------------------
  // Inputs

  async track(pin: Pin): Promise<void> {
    if (pin.type === 'meta-pin') return
    this.watchExpiry(pin)
    if (isAllocatedTo(pin, this.c.peerId)) this.enqueue(pin.cid, 'pin', pin)
    else this.enqueue(pin.cid, 'remote', pin)
  }

  async untrack(cid: string): Promise<void> {
    this.enqueue(cid, 'unpin', undefined)
  }

  private handleChange(change: PinsetChange): void {
    if (!this.started) return
    if (change.type === 'removed') {
      // Nothing to release if this peer never had to pin it and nothing is in flight.
      if (isAllocatedTo(change.previous, this.c.peerId) || this.ops.has(change.cid)) this.enqueue(change.cid, 'unpin', undefined)
      return
    }
    const pin = change.pin
    if (pin.type === 'meta-pin') return
    this.watchExpiry(pin)
    if (isAllocatedTo(pin, this.c.peerId)) {
      this.enqueue(pin.cid, 'pin', pin)
    } else if (change.type === 'updated' && (isAllocatedTo(change.previous, this.c.peerId) || this.ops.has(pin.cid))) {
      // De-allocated from this peer: release the content (upstream's Remote operation).
      this.enqueue(pin.cid, 'remote', pin)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Operations and queues

  private setPhase(op: Operation, phase: Phase): void {
    this.counts[op.type][op.phase]--
    this.counts[op.type][phase]++
    if (op.phase === 'queued' && op.queue !== undefined) {
      this.queued[op.queue]--
      op.queue = undefined
    }
    op.phase = phase
    op.timestamp = Date.now()
    if (op.type === 'pin') {
      trackerMetrics.pinQueued.set(this.counts.pin.queued)
      trackerMetrics.pinning.set(this.counts.pin.in_progress)
      trackerMetrics.pinError.set(this.counts.pin.error)
    }
  }

  private cancel(op: Operation): void {
    op.cancelled = true
    clearTimeout(op.retryTimer)
    op.controller?.abort(new Error('operation cancelled'))
    this.setPhase(op, 'done')
  }

  private isPriority(type: OpType, pin: Pin | undefined, attempts: number): boolean {
    if (type !== 'pin' || pin === undefined || pin.timestamp === ZERO_TIME) return false
    return Date.now() < timeToMillis(pin.timestamp) + this.config.priority_pin_max_age && attempts <= this.config.priority_pin_max_retries
  }

  /** Creates (or refreshes) the operation for `cid` and queues it. */
  private enqueue(cid: string, type: OpType, pin: Pin | undefined): Operation {
    const existing = this.ops.get(cid)
    if (existing !== undefined && existing.type === type && (existing.phase === 'queued' || existing.phase === 'in_progress')) {
      if (pin !== undefined) existing.pin = pin
      return existing
    }
    const attempts = existing?.type === type ? existing.attempts : 0
    if (existing !== undefined) this.cancel(existing)
    const op: Operation = {
      cid,
      type,
      phase: 'queued',
      pin,
      attempts,
      priority: this.isPriority(type, pin, attempts),
      error: '',
      timestamp: Date.now(),
      queue: undefined,
      controller: undefined,
      retryTimer: undefined,
      cancelled: false,
      solo: false,
    }
    this.counts[type].queued++
    this.ops.set(cid, op)
    const queue: QueueName = type === 'pin' ? (op.priority ? 'priority' : 'pin') : 'unpin'
    if (this.queued[queue] >= this.config.max_pin_queue_size) {
      this.setPhase(op, 'error')
      op.error = QUEUE_FULL
      this.log.warn({ cid, op: type }, 'queue full')
      this.scheduleRetry(op)
      return op
    }
    op.queue = queue
    this.queued[queue]++
    this.queues[queue].push(op)
    if (type === 'pin') trackerMetrics.pinQueued.set(this.counts.pin.queued)
    this.drain()
    return op
  }

  private isLive(op: Operation): boolean {
    return !op.cancelled && op.phase === 'queued' && this.ops.get(op.cid) === op
  }

  private takeLive(queue: Fifo<Operation>): Operation | undefined {
    for (let op = queue.shift(); op !== undefined; op = queue.shift()) {
      if (this.isLive(op)) return op
    }
    return undefined
  }

  /** The next live operation of a queue, left in it (dead ones at its head are dropped). */
  private peekLive(queue: Fifo<Operation>): Operation | undefined {
    for (let op = queue.peek(); op !== undefined; op = queue.peek()) {
      if (this.isLive(op)) return op
      queue.shift()
    }
    return undefined
  }

  /**
   * Pins that can share one IPFS request: fresh recursive pins with nothing special to do first
   * (no origins to dial, no pin to update), as local content or a burst of REST pins are.
   */
  private batchable(op: Operation): boolean {
    const pin = op.pin
    return (
      op.type === 'pin' &&
      !op.solo &&
      op.attempts === 0 &&
      pin !== undefined &&
      pin.max_depth === -1 &&
      pin.origins.length === 0 &&
      (pin.pin_update === null || pin.pin_update === pin.cid)
    )
  }

  /**
   * `op` plus, when pins are backing up, more batchable pins from the head of the queues: the
   * backlog is spread over the free workers (this one included; at most `pin_batch_size`
   * each), so while workers are free a short queue is pinned one request per CID as before.
   */
  private batchWith(op: Operation): Operation[] {
    if (this.c.ipfs.pinMany === undefined || this.config.pin_batch_size <= 1 || !this.batchable(op)) return [op]
    const free = this.config.concurrent_pins - this.runningPins + 1
    const size = Math.min(this.config.pin_batch_size, Math.ceil(this.counts.pin.queued / free))
    const batch = [op]
    while (batch.length < size) {
      const queue = this.peekLive(this.queues.priority) !== undefined ? this.queues.priority : this.queues.pin
      const next = this.peekLive(queue)
      if (next === undefined || !this.batchable(next)) break
      queue.shift()
      batch.push(next)
    }
    return batch
  }

  private drain(): void {
    if (!this.started) return
    while (this.runningPins < this.config.concurrent_pins) {
      const op = this.takeLive(this.solo) ?? this.takeLive(this.queues.priority) ?? this.takeLive(this.queues.pin)
      if (op === undefined) break
      this.runningPins++
      const batch = this.batchWith(op)
      void (batch.length > 1 ? this.applyBatch(batch) : this.apply(op)).finally(() => {
        this.runningPins--
        this.drain()
      })
    }
    while (this.runningUnpins < this.config.concurrent_unpins) {
      const op = this.takeLive(this.queues.unpin)
      if (op === undefined) break
      this.runningUnpins++
      void this.apply(op).finally(() => {
        this.runningUnpins--
        this.drain()
      })
    }
  }

  private async apply(op: Operation): Promise<void> {
    this.setPhase(op, 'in_progress')
    op.attempts++
    op.error = ''
    const controller = new AbortController()
    op.controller = controller
    try {
      if (op.type === 'pin') await this.pinOnIpfs(op, controller)
      else await this.guard(controller, this.config.unpin_timeout, 'ipfs unpin', false, (signal) => this.c.ipfs.unpin(op.cid, { signal }))
      if (op.cancelled) return
      this.setPhase(op, 'done')
      if (this.ops.get(op.cid) === op) this.ops.delete(op.cid)
      this.log.debug({ cid: op.cid, op: op.type, attempts: op.attempts }, 'operation done')
    } catch (err) {
      if (op.cancelled) return
      this.setPhase(op, 'error')
      op.error = message(err)
      this.log.warn({ cid: op.cid, op: op.type, attempts: op.attempts, err: op.error }, 'operation failed')
      this.scheduleRetry(op)
    } finally {
      op.controller = undefined
    }
  }

  /**
   * Pins a batch with one `pinMany` request. When it fails, is cancelled or takes longer than
   * `pin_batch_timeout` (content that has to be fetched, say), the pins go back to the front of
   * the line to be pinned one by one: each then gets its own status and error, and the
   * attempt in the batch does not count. What the batch already pinned is answered at once.
   */
  private async applyBatch(ops: Operation[]): Promise<void> {
    // One controller for the batch: cancelling any of its pins (an unpin, a shutdown) aborts it.
    const controller = new AbortController()
    for (const op of ops) {
      this.setPhase(op, 'in_progress')
      op.attempts++
      op.error = ''
      op.controller = controller
    }
    let pinned = false
    try {
      trackerMetrics.pinAdd.inc(ops.length)
      const pinMany = this.c.ipfs.pinMany?.bind(this.c.ipfs)
      if (pinMany === undefined) throw new Error('the IPFS connector cannot pin in batches')
      await this.guard(controller, this.config.pin_batch_timeout, 'ipfs pin batch', false, (signal) =>
        pinMany(
          ops.map((op) => op.cid),
          { signal },
        ),
      )
      pinned = true
    } catch (err) {
      this.log.debug({ pins: ops.length, err: message(err) }, 'pin batch failed; pinning one by one')
    }
    for (const op of ops) {
      op.controller = undefined
      if (op.cancelled) continue
      if (pinned) {
        this.setPhase(op, 'done')
        if (this.ops.get(op.cid) === op) this.ops.delete(op.cid)
      } else {
        op.attempts--
        op.solo = true
        this.setPhase(op, 'queued')
        this.solo.push(op)
      }
    }
  }

  private async pinOnIpfs(op: Operation, controller: AbortController): Promise<void> {
    trackerMetrics.pinAdd.inc()
    try {
      await this.guard(controller, this.config.pin_timeout, 'ipfs pin', true, (signal, progress) =>
        this.c.ipfs.pin(op.cid, {
          signal,
          maxDepth: op.pin?.max_depth ?? -1,
          onProgress: progress,
          // where the content is (e.g. the node that added it) and the pin it replaces (reference §6.5)
          origins: op.pin?.origins ?? [],
          pinUpdate: op.pin?.pin_update ?? null,
        }),
      )
    } catch (err) {
      if (!op.cancelled) trackerMetrics.pinAddErrors.inc()
      throw err
    }
  }

  /**
   * Runs an IPFS call with a timeout — an inactivity timeout (reset on every progress event) when
   * `inactivity`, a total one otherwise — and returns as soon as the call is aborted, even if
   * the IPFS side ignores the signal.
   */
  private guard(
    controller: AbortController,
    timeout: number,
    label: string,
    inactivity: boolean,
    call: (signal: AbortSignal, progress: () => void) => Promise<void>,
  ): Promise<void> {
    const what = inactivity ? `no progress for ${formatDuration(timeout)}` : `${formatDuration(timeout)} elapsed`
    let timer: NodeJS.Timeout | undefined
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => controller.abort(new TimeoutError(`${label} timed out: ${what}`)), timeout)
    }
    arm()
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(controller.signal.reason ?? new Error('aborted'))
      if (controller.signal.aborted) onAbort()
      else controller.signal.addEventListener('abort', onAbort, { once: true })
    })
    aborted.catch(() => {})
    return Promise.race([call(controller.signal, inactivity ? arm : () => {}), aborted]).finally(() => clearTimeout(timer))
  }

  private scheduleRetry(op: Operation): void {
    if (!this.started) return
    const delay = Math.min(this.config.retry_backoff_min * 2 ** Math.max(0, op.attempts - 1), this.config.retry_backoff_max)
    clearTimeout(op.retryTimer)
    op.retryTimer = setTimeout(() => {
      if (!this.started || op.cancelled || op.phase !== 'error' || this.ops.get(op.cid) !== op) return
      trackerMetrics.retries.inc()
      this.log.debug({ cid: op.cid, op: op.type, attempts: op.attempts }, 'retrying')
      this.enqueue(op.cid, op.type, op.pin)
    }, delay)
    op.retryTimer.unref()
  }

  // -------------------------------------------------------------------------------------------
  // Expiry

  private watchExpiry(pin: Pin): void {
    if (pin.expire_at === ZERO_TIME || !this.started) return
    const at = timeToMillis(pin.expire_at)
    if (!(at > 0)) return
    this.expiry.push({ at, cid: pin.cid })
    if (at < this.expiryAt) this.armExpiry()
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer)
    const next = this.expiry.peek()
    if (next === undefined || !this.started) {
      this.expiryAt = Number.POSITIVE_INFINITY
      return
    }
    this.expiryAt = next.at
    // setTimeout caps at ~24.8 days; re-arm until due.
    const delay = Math.min(Math.max(0, next.at - Date.now()), 2 ** 31 - 1)
    this.expiryTimer = setTimeout(() => void this.expireDue(), delay)
    this.expiryTimer.unref()
  }

  private async expireDue(): Promise<void> {
    const now = Date.now()
    const due: string[] = []
    for (let e = this.expiry.peek(); e !== undefined && e.at <= now; e = this.expiry.peek()) {
      this.expiry.pop()
      due.push(e.cid)
    }
    this.armExpiry()
    for (const cid of due) {
      try {
        const pin = await this.c.pinset.get(cid)
        if (pin === undefined || pin.expire_at === ZERO_TIME || timeToMillis(pin.expire_at) > now) continue
        this.log.info({ cid, expire_at: pin.expire_at }, 'pin expired')
        if (this.c.expire !== undefined) await this.c.expire(pin)
        else await this.c.pinset.remove(cid)
      } catch (err) {
        this.log.warn({ cid, err: message(err) }, 'removing expired pin failed')
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Status

  private info(cid: string, pin: Pin | undefined, status: TrackerStatus, extra: Partial<PinInfo> = {}): PinInfo {
    const now = formatTime(Date.now())
    return {
      cid,
      name: pin?.name ?? '',
      peer: this.c.peerId,
      allocations: pin?.allocations ?? [],
      origins: pin?.origins ?? [],
      created: pin?.timestamp ?? now,
      metadata: pin?.metadata ?? null,
      peername: this.c.peername,
      ...(this.ipfsId !== undefined ? { ipfs_peer_id: this.ipfsId.id, ipfs_peer_addresses: this.ipfsId.addresses } : {}),
      status,
      timestamp: pin?.timestamp ?? now,
      error: '',
      attempt_count: 0,
      priority_pin: false,
      ...extra,
    }
  }

  private opInfo(op: Operation, pin: Pin | undefined): PinInfo {
    return this.info(op.cid, pin ?? op.pin, opStatus(op), {
      timestamp: formatTime(op.timestamp),
      error: op.error,
      attempt_count: op.attempts,
      priority_pin: op.priority,
    })
  }

  /** Status from the state and IPFS, ignoring the operation table. */
  private async stateStatus(cid: string, pin: Pin | undefined, options?: AbortOptions): Promise<PinInfo> {
    if (pin === undefined) return this.info(cid, undefined, 'unpinned')
    if (pin.type === 'meta-pin') return this.info(cid, pin, 'sharded')
    if (!isAllocatedTo(pin, this.c.peerId)) return this.info(cid, pin, 'remote')
    try {
      const type = await this.c.ipfs.pinLsCid(cid, options)
      const pinned = type === 'recursive' || (type === 'direct' && pin.max_depth === 0)
      if (!pinned) return this.info(cid, pin, 'unexpectedly_unpinned', { error: NOT_PINNED })
      return this.info(cid, pin, 'pinned')
    } catch (err) {
      return this.info(cid, pin, 'cluster_error', { error: message(err) })
    }
  }

  async status(cid: string, options?: AbortOptions): Promise<PinInfo> {
    let pin: Pin | undefined
    try {
      pin = await this.c.pinset.get(cid)
    } catch (err) {
      const op = this.ops.get(cid)
      if (op !== undefined) return this.opInfo(op, undefined)
      return this.info(cid, undefined, 'cluster_error', { error: message(err) })
    }
    const op = this.ops.get(cid)
    if (op !== undefined) return this.opInfo(op, pin)
    return this.stateStatus(cid, pin, options)
  }

  /**
   * Streams the status of every pin in the state (or only the operation table when the filter
   * cannot match a settled status). Memory stays flat: the pinset is streamed and at most
   * `STATUS_CONCURRENCY` IPFS lookups are in flight; the IPFS pinset is never loaded whole. The
   * cost is one `pinLsCid` per pin allocated here.
   */
  async *statusAll(filter: number, options?: AbortOptions): AsyncIterable<PinInfo> {
    if (filter !== 0 && (filter & BULK_BITS) === 0) {
      for (const op of [...this.ops.values()]) {
        const info = this.opInfo(op, undefined)
        if (statusMatches(info.status, filter)) yield info
      }
      return
    }
    const lookup = async (pin: Pin): Promise<PinInfo | undefined> => {
      const op = this.ops.get(pin.cid)
      if (op !== undefined) {
        const s = opStatus(op)
        return statusMatches(s, filter) ? this.opInfo(op, pin) : undefined
      }
      // Skip the IPFS lookup when the answer cannot pass the filter.
      if (filter !== 0 && isAllocatedTo(pin, this.c.peerId) && pin.type !== 'meta-pin') {
        const possible = TRACKER_STATUS_BITS.pinned | TRACKER_STATUS_BITS.unexpectedly_unpinned | TRACKER_STATUS_BITS.cluster_error
        if ((filter & possible) === 0) return undefined
      }
      const info = await this.stateStatus(pin.cid, pin, options)
      return statusMatches(info.status, filter) ? info : undefined
    }
    for await (const info of mapOrdered(this.c.pinset.list(options), STATUS_CONCURRENCY, lookup)) {
      if (info !== undefined) yield info
    }
  }

  // -------------------------------------------------------------------------------------------
  // Recover

  private requeue(info: PinInfo, pin: Pin | undefined): boolean {
    if (info.status === 'pin_error' || info.status === 'unexpectedly_unpinned') {
      if (pin === undefined) return false
      this.enqueue(info.cid, 'pin', pin)
      return true
    }
    if (info.status === 'unpin_error') {
      const op = this.ops.get(info.cid)
      this.enqueue(info.cid, op?.type === 'remote' ? 'remote' : 'unpin', pin)
      return true
    }
    return false
  }

  async recover(cid: string, options?: AbortOptions): Promise<PinInfo> {
    const info = await this.status(cid, options)
    if (!this.requeue(info, await this.c.pinset.get(cid))) return info.status === 'pin_error' ? this.status(cid, options) : info
    return this.status(cid, options)
  }

  async *recoverAll(options?: AbortOptions): AsyncIterable<PinInfo> {
    for await (const info of this.statusAll(RECOVERABLE, options)) {
      const pin = await this.c.pinset.get(info.cid)
      if (this.requeue(info, pin)) yield await this.status(info.cid, options)
    }
  }

  private scheduleRecover(delay: number): void {
    if (!this.started) return
    this.recoverTimer = setTimeout(() => {
      const signal = this.shutdown?.signal
      this.recovering = (async () => {
        let n = 0
        try {
          for await (const pin of this.c.pinset.list(signal ? { signal } : {})) {
            if (!this.started) return
            this.watchExpiry(pin)
          }
          for await (const _ of this.recoverAll(signal ? { signal } : {})) n++
          if (n > 0) this.log.info({ requeued: n }, 'recover pass re-queued pins')
        } catch (err) {
          if (this.started) this.log.warn({ err: message(err) }, 'recover pass failed')
        }
      })()
      void this.recovering.finally(() => {
        this.firstPass.resolve()
        if (this.config.pin_recover_interval > 0) this.scheduleRecover(this.config.pin_recover_interval)
      })
    }, delay)
    this.recoverTimer.unref()
  }
}
