/**
 * Runs informers: each produces a metric at once, then every TTL/2 (TTL/4 after an invalid
 * metric, so a recovered peer reappears quickly), and valid metrics are handed to `publish`
 * (reference §6.8). Invalid metrics are never published.
 */
import type { Metric } from '@pinmesh/interface'
import type { Logger } from 'pino'
import type { TimedInformer } from './metric.js'

export interface InformerSchedule {
  stop(): void
  /** Produces and publishes every informer's metric now (e.g. after a burst of pins). */
  trigger(): Promise<void>
}

export function scheduleInformers(informers: readonly TimedInformer[], publish: (metric: Metric) => Promise<void>, logger: Logger): InformerSchedule {
  const controller = new AbortController()
  const timers = new Map<TimedInformer, NodeJS.Timeout>()

  const run = async (informer: TimedInformer): Promise<void> => {
    clearTimeout(timers.get(informer))
    if (controller.signal.aborted) return
    let next = informer.ttl / 2
    try {
      const metric = await informer.getMetric({ signal: controller.signal })
      if (metric.valid) await publish(metric)
      else next = informer.ttl / 4
    } catch (err) {
      next = informer.ttl / 4
      if (!controller.signal.aborted) logger.warn({ informer: informer.name, err: err instanceof Error ? err.message : String(err) }, 'informer failed')
    }
    if (controller.signal.aborted) return
    const timer = setTimeout(() => void run(informer), next)
    timer.unref()
    timers.set(informer, timer)
  }

  for (const informer of informers) void run(informer)
  return {
    stop() {
      controller.abort()
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
    },
    async trigger() {
      await Promise.all(informers.map((i) => run(i)))
    },
  }
}
