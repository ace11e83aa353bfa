/**
 * The metric monitor over gossipsub (reference §8): local metrics are published on a topic
 * derived from the cluster name, every peer keeps the newest metric per (name, peer), and a
 * checker raises an `alert` when the newest metric of a (name, peer) has expired.
 *
 * Messages are one JSON `Metric` each (pinmesh's own wire format; upstream uses msgpack). A
 * metric is accepted only from the peer it describes (the gossipsub signer), so a peer cannot
 * speak for another. Alerts fire once per expiry (the counter is reset by the next valid
 * metric), as upstream's threshold of 1.
 */
import type { AbortOptions, Alert, Metric, Monitor } from '@pinmesh/interface'
import { decodeMetric, encodeMetric, formatTime, parseJson, stringifyJson } from '@pinmesh/interface'
import type { Logger } from 'pino'
import type { MonitorConfig } from './config.js'
import { isLive, MetricStore } from './metric-store.js'
import { nowNs } from './time.js'

/** What the monitor needs of gossipsub. */
export interface MetricsPubSub {
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  addEventListener(type: 'message', listener: (evt: CustomEvent<PubSubMessage>) => void): void
  removeEventListener(type: 'message', listener: (evt: CustomEvent<PubSubMessage>) => void): void
}

export interface PubSubMessage {
  type: 'signed' | 'unsigned'
  topic: string
  data: Uint8Array
  from?: { toString(): string }
}

export interface PubsubMonitorComponents {
  pubsub: MetricsPubSub
  /** This peer's ID. */
  peerId: string
  logger: Logger
  /** Peers whose metrics are ignored (removed from the cluster). */
  isIgnored?(peer: string): boolean
}

/** The topic metrics travel on for a cluster name. */
export function metricsTopic(clusterName: string): string {
  return `/pinmesh/${clusterName}/metrics/1.0.0`
}

/** Most alerts kept for `alerts()`; older ones are dropped. */
const MAX_ALERTS = 1000

export interface InformerLike {
  readonly name: string
  getMetric(options?: AbortOptions): Promise<Metric>
}

export class PubsubMonitor implements Monitor {
  private readonly events = new EventTarget()
  private readonly store = new MetricStore()
  private readonly failures = new Map<string, number>()
  private readonly alertLog: Alert[] = []
  private readonly topic: string
  private readonly log: Logger
  private controller: AbortController | undefined
  private readonly informers: Array<{ informer: InformerLike; interval: number }> = []
  private readonly onMessage = (evt: CustomEvent<PubSubMessage>) => this.receive(evt.detail)

  constructor(
    private readonly config: MonitorConfig,
    private readonly c: PubsubMonitorComponents,
  ) {
    this.topic = metricsTopic(config.cluster_name)
    this.log = c.logger.child({ component: 'monitor' })
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    this.controller = controller
    this.c.pubsub.addEventListener('message', this.onMessage)
    this.c.pubsub.subscribe(this.topic)
    const timer = setInterval(() => this.check(), this.config.check_interval)
    controller.signal.addEventListener('abort', () => clearInterval(timer))
    for (const entry of this.informers) this.schedule(entry.informer, entry.interval, controller.signal)
  }

  async stop(): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    this.c.pubsub.removeEventListener('message', this.onMessage)
    try {
      this.c.pubsub.unsubscribe(this.topic)
    } catch {
      // pubsub already stopped
    }
  }

  /**
   * Runs an informer: publishes its metric now and then every `interval` ms while the monitor
   * runs. Invalid metrics are not published.
   */
  addInformer(informer: InformerLike, interval: number): void {
    this.informers.push({ informer, interval })
    if (this.controller !== undefined) this.schedule(informer, interval, this.controller.signal)
  }

  /** Publishes every informer's metric right away (after joining a cluster). */
  async publishInformersNow(): Promise<void> {
    await Promise.all(this.informers.map((e) => this.runInformer(e.informer, this.controller?.signal)))
  }

  private schedule(informer: InformerLike, interval: number, signal: AbortSignal): void {
    const timer = setInterval(() => void this.runInformer(informer, signal), interval)
    signal.addEventListener('abort', () => clearInterval(timer))
    void this.runInformer(informer, signal)
  }

  private async runInformer(informer: InformerLike, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return
    try {
      const metric = await informer.getMetric(signal !== undefined ? { signal } : {})
      if (metric.valid) await this.publish(metric)
    } catch (err) {
      if (!signal?.aborted) this.log.warn({ err, informer: informer.name }, 'informer failed')
    }
  }

  async publish(metric: Metric): Promise<void> {
    if (!metric.valid || metric.expire <= nowNs()) return
    const m = { ...metric, peer: this.c.peerId }
    this.logMetric(m)
    try {
      await this.c.pubsub.publish(this.topic, new TextEncoder().encode(stringifyJson(encodeMetric(m))))
    } catch (err) {
      this.log.debug({ err, metric: m.name }, 'could not publish metric')
    }
  }

  /** Stores a metric as if received (own metrics; a first ping for a peer that just joined). */
  logMetric(metric: Metric): void {
    if (this.c.isIgnored?.(metric.peer)) return
    const stored = this.store.add(metric)
    if (stored.valid) this.failures.delete(key(stored))
  }

  private receive(msg: PubSubMessage): void {
    if (msg.topic !== this.topic) return
    const from = msg.from?.toString()
    let metric: Metric
    try {
      if (msg.type !== 'signed' || from === undefined) throw new Error('metrics must be signed')
      metric = decodeMetric(parseJson(new TextDecoder().decode(msg.data)), 'metric')
      if (metric.peer !== from) throw new Error(`metric about ${metric.peer} sent by ${from}`)
    } catch (err) {
      this.log.debug({ from, err: (err as Error).message }, 'dropped invalid metric message')
      return
    }
    this.logMetric(metric)
  }

  latestMetrics(name: string): Metric[] {
    return this.store.latest(name)
  }

  /** The newest metric of `name` for `peer`, even expired (peername of silent peers). */
  latestForPeer(name: string, peer: string): Metric | undefined {
    return this.store.latestForPeer(name, peer)
  }

  metricNames(): string[] {
    return this.store.names()
  }

  /** Alerts recorded by this peer, most recent first. */
  alerts(): Alert[] {
    return [...this.alertLog].reverse()
  }

  /** Forgets a peer's metrics (removed from the cluster) without raising alerts. */
  removePeer(peer: string): void {
    this.store.removePeer(peer)
    for (const k of [...this.failures.keys()]) if (k.endsWith(`\n${peer}`)) this.failures.delete(k)
  }

  /** One pass of the expiry checker; public so tests can run it without waiting. */
  check(): void {
    const now = nowNs()
    for (const metric of this.store.all()) {
      if (!metric.valid || isLive(metric, now)) continue
      const k = key(metric)
      const count = (this.failures.get(k) ?? 0) + 1
      this.failures.set(k, count >= 300 ? 0 : count)
      if (count !== 1) continue
      const alert: Alert = { ...metric, triggered_at: formatTime(Date.now()) }
      if (this.alertLog.length >= MAX_ALERTS) this.alertLog.splice(0, this.alertLog.length - MAX_ALERTS + 1)
      this.alertLog.push(alert)
      this.log.info({ peer: metric.peer, metric: metric.name }, 'metric expired: alert')
      this.events.dispatchEvent(new CustomEvent('alert', { detail: alert }))
    }
  }

  addEventListener(type: 'alert', listener: (event: CustomEvent<Alert>) => void): void {
    this.events.addEventListener(type, listener as (evt: Event) => void)
  }

  removeEventListener(type: 'alert', listener: (event: CustomEvent<Alert>) => void): void {
    this.events.removeEventListener(type, listener as (evt: Event) => void)
  }
}

function key(m: Metric): string {
  return `${m.name}\n${m.peer}`
}

/** Creates the gossipsub metric monitor; `start()` subscribes and starts the checker. */
export function createPubsubMonitor(config: MonitorConfig, components: PubsubMonitorComponents): PubsubMonitor {
  return new PubsubMonitor(config, components)
}
