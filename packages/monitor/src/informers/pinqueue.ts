/**
 * The `pinqueue` informer: how many pin operations wait in this peer's queues. Weight =
 * −(queued / weight_bucket_size), integer division, so peers in the same bucket tie and the next
 * `allocate_by` metric (free space) decides between them.
 */
import type { Metric } from '@pinmesh/interface'
import type { PinQueueInformerConfig } from './config.js'
import { invalidMetric, makeMetric, type TimedInformer } from './metric.js'

export function createPinQueueInformer(config: PinQueueInformerConfig, c: { peerId: string; tracker: { pinQueueSize(): number } }): TimedInformer {
  return {
    name: 'pinqueue',
    ttl: config.metric_ttl,
    async getMetric(): Promise<Metric> {
      try {
        const n = c.tracker.pinQueueSize()
        const weight = -Math.floor(n / config.weight_bucket_size)
        return makeMetric({ name: 'pinqueue', peer: c.peerId, value: String(n), weight: weight === 0 ? 0 : weight, ttl: config.metric_ttl })
      } catch {
        return invalidMetric('pinqueue', c.peerId, config.metric_ttl)
      }
    },
  }
}
