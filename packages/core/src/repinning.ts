/**
 * Automatic re-pinning (reference §8.4, made safe to leave on).
 *
 * A `ping` alert for peer P (its ping metric expired) starts a grace period. If P sends a valid
 * ping again within it, nothing moves. Otherwise this peer streams the pinset and, for every pin
 * allocated to P for which it is the closest live trusted peer (`closest.ts`; so two peers
 * reacting to the same alert never both act on a CID), re-allocates with P blacklisted: healthy
 * allocations stay, new peers are added only where fewer than `replication_factor_min` healthy
 * ones remain (`allocation.ts`). Writes are rate-limited (`repin_rate` pins/s) so a large pinset
 * does not stampede, and the walk stops if P comes back. `disable_repinning` switches it off
 * (alerts are still recorded by the monitor).
 */
import type { Allocator, Monitor, Pin, Pinset } from '@pinmesh/interface'
import { formatTime, InvalidConfigError, parseDuration } from '@pinmesh/interface'
import type { Logger } from 'pino'
import { Counter, register } from 'prom-client'
import { allocatePin } from './allocation.js'
import { isClosest } from './closest.js'

export interface RepinningConfig {
  /** Upstream key. pinmesh defaults it to false: re-pinning is on, behind the grace period. */
  disable_repinning: boolean
  /** pinmesh: how long (ms) a peer may stay silent after its alert before its pins move. */
  repin_grace_period: number
  /** pinmesh: at most this many re-allocated pins written per second. */
  repin_rate: number
}

export const REPINNING_DEFAULTS: Readonly<RepinningConfig> = { disable_repinning: false, repin_grace_period: 60_000, repin_rate: 1_000 }

/** Reads the re-pinning keys of the `cluster` section; errors name the key path. */
export function parseRepinningConfig(cluster: Record<string, unknown> | undefined, path = 'cluster'): RepinningConfig {
  const out: RepinningConfig = { ...REPINNING_DEFAULTS }
  const disable = cluster?.disable_repinning
  if (disable !== undefined) {
    if (typeof disable !== 'boolean') throw new InvalidConfigError(`${path}.disable_repinning`, `must be true or false, got ${JSON.stringify(disable)}`)
    out.disable_repinning = disable
  }
  const grace = cluster?.repin_grace_period
  if (grace !== undefined) {
    let ms: number
    try {
      ms = typeof grace === 'number' ? grace : parseDuration(grace as string)
    } catch (err) {
      throw new InvalidConfigError(`${path}.repin_grace_period`, `must be a duration such as "1m0s": ${(err as Error).message}`)
    }
    if (!(ms >= 0)) throw new InvalidConfigError(`${path}.repin_grace_period`, `must be a duration >= 0, got ${JSON.stringify(grace)}`)
    out.repin_grace_period = ms
  }
  const rate = cluster?.repin_rate
  if (rate !== undefined) {
    if (typeof rate !== 'number' || !(rate > 0))
      throw new InvalidConfigError(`${path}.repin_rate`, `must be a number of pins per second > 0, got ${JSON.stringify(rate)}`)
    out.repin_rate = rate
  }
  return out
}

export interface RepinningComponents {
  peerId: string
  pinset: Pinset
  monitor: Pick<Monitor, 'latestMetrics' | 'addEventListener' | 'removeEventListener'>
  allocator: Allocator
  logger: Logger
  /** Trust policy for allocation candidates and for "closest peer"; default: everyone. */
  isTrusted?: (peer: string) => boolean
  /** Allocation policy (e.g. `pin_only_on_trusted_peers`); default: everyone. */
  accept?: (peer: string) => boolean
}

export interface RepinReport {
  peer: string
  /** Pins whose allocations were rewritten. */
  moved: number
  /** Pins allocated to the peer that this peer left to another (closer) peer. */
  delegated: number
  /** Pins whose allocations did not need to change (enough healthy peers left). */
  unchanged: number
  /** Pins that could not be re-allocated (e.g. not enough peers). */
  failed: number
  /** True when the walk stopped because the peer came back. */
  aborted: boolean
}

/** Re-allocated pins being written at once. */
const WRITE_WINDOW = 256

const moves =
  (register.getSingleMetric('pinmesh_repinning_moves_total') as Counter | undefined) ??
  new Counter({ name: 'pinmesh_repinning_moves_total', help: 'Pins re-allocated away from peers that went down' })

export class Repinner {
  private readonly log: Logger
  private readonly grace = new Map<string, NodeJS.Timeout>()
  private readonly running = new Map<string, Promise<RepinReport>>()
  private controller: AbortController | undefined
  private readonly onAlert = (event: CustomEvent<{ name: string; peer: string }>) => {
    const alert = event.detail
    if (alert.name === 'ping') this.peerDown(alert.peer)
  }

  constructor(
    readonly config: RepinningConfig,
    private readonly c: RepinningComponents,
  ) {
    this.log = c.logger
  }

  start(): void {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    this.c.monitor.addEventListener('alert', this.onAlert)
  }

  async stop(): Promise<void> {
    if (this.controller === undefined) return
    this.c.monitor.removeEventListener('alert', this.onAlert)
    this.controller.abort()
    this.controller = undefined
    for (const t of this.grace.values()) clearTimeout(t)
    this.grace.clear()
    await Promise.allSettled([...this.running.values()])
  }

  /** Peers with a live ping metric. */
  livePeers(): Set<string> {
    return new Set(this.c.monitor.latestMetrics('ping').map((m) => m.peer))
  }

  private isAlive(peer: string): boolean {
    return this.c.monitor.latestMetrics('ping').some((m) => m.peer === peer)
  }

  /** Reacts to a peer-down alert: waits out the grace period, then moves that peer's pins. */
  peerDown(peer: string): void {
    if (this.controller === undefined || peer === this.c.peerId) return
    if (this.config.disable_repinning) {
      this.log.info({ peer }, 'peer down; re-pinning is disabled (cluster.disable_repinning)')
      return
    }
    if (this.grace.has(peer) || this.running.has(peer)) return
    this.log.info({ peer, grace_ms: this.config.repin_grace_period }, 'peer down; waiting for the grace period before re-pinning')
    const timer = setTimeout(() => {
      this.grace.delete(peer)
      if (this.isAlive(peer)) {
        this.log.info({ peer }, 'peer came back within the grace period; nothing moves')
        return
      }
      void this.reallocateFrom(peer, { closestOnly: true }).catch((err) => this.log.warn({ peer, err: (err as Error).message }, 're-pinning failed'))
    }, this.config.repin_grace_period)
    timer.unref()
    this.grace.set(peer, timer)
  }

  /**
   * Re-allocates every pin allocated to `peer`, blacklisting it. With `closestOnly`, only pins for
   * which this peer is the closest live trusted peer (the alert path); without, all of them (the
   * `DELETE /peers/{id}` path, where one peer acts). Stops early if `peer` comes back (alert path).
   */
  reallocateFrom(peer: string, options: { closestOnly: boolean }): Promise<RepinReport> {
    const existing = this.running.get(peer)
    if (existing !== undefined) return existing
    const run = this.walk(peer, options.closestOnly).finally(() => this.running.delete(peer))
    this.running.set(peer, run)
    return run
  }

  private async walk(peer: string, closestOnly: boolean): Promise<RepinReport> {
    const report: RepinReport = { peer, moved: 0, delegated: 0, unchanged: 0, failed: 0, aborted: false }
    const signal = this.controller?.signal ?? AbortSignal.abort()
    const trusted = this.c.isTrusted ?? (() => true)
    const metricsOf = (name: string) => this.c.monitor.latestMetrics(name)
    const excluded = new Set([peer])
    let live = [...this.livePeers()].filter(trusted)
    const started = Date.now()
    const interval = 1000 / this.config.repin_rate
    let checked = 0
    const inFlight = new Set<Promise<void>>()
    for await (const pin of this.c.pinset.list({ signal })) {
      if (!pin.allocations.includes(peer)) continue
      if (++checked % 256 === 0) {
        // Refresh the view: stop if the peer is back, follow other peers coming and going.
        if (closestOnly && this.isAlive(peer)) {
          report.aborted = true
          await Promise.all(inFlight)
          this.log.info({ ...report }, 'peer came back; re-pinning stopped')
          return report
        }
        live = [...this.livePeers()].filter(trusted)
      }
      if (closestOnly && !isClosest(this.c.peerId, pin.cid, live, excluded)) {
        report.delegated++
        continue
      }
      let allocations: string[]
      try {
        allocations = allocatePin(
          { pin, existing: pin, blacklist: [peer], ...(this.c.accept !== undefined ? { accept: this.c.accept } : {}) },
          { allocator: this.c.allocator, metricsOf },
        )
      } catch (err) {
        report.failed++
        this.log.warn({ cid: pin.cid, peer, err: (err as Error).message }, 'cannot re-allocate pin')
        continue
      }
      if (sameList(allocations, pin.allocations)) {
        report.unchanged++
        continue
      }
      // Rate limit: the n-th write happens no earlier than n / repin_rate seconds after the start.
      const due = started + report.moved * interval
      if (due > Date.now()) await sleep(due - Date.now(), signal)
      const moved: Pin = { ...pin, allocations, timestamp: formatTime(Date.now()) }
      // Writes are pipelined (the pinset group-commits them); at most WRITE_WINDOW in flight.
      const write: Promise<void> = this.c.pinset.put(moved, { signal }).then(
        () => {
          moves.inc()
          inFlight.delete(write)
        },
        (err: unknown) => {
          report.moved--
          report.failed++
          inFlight.delete(write)
          this.log.warn({ cid: pin.cid, peer, err: (err as Error).message }, 'writing the re-allocated pin failed')
        },
      )
      inFlight.add(write)
      report.moved++
      if (inFlight.size >= WRITE_WINDOW) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    this.log.info({ ...report }, 're-pinning done')
    return report
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

export function createRepinner(config: RepinningConfig, components: RepinningComponents): Repinner {
  return new Repinner(config, components)
}
