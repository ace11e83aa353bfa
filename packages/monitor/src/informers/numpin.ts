/**
 * The `numpin` informer: how many recursive and direct pins the IPFS node holds, counted by
 * streaming its pin list (nothing is kept in memory). Weight 0: informational.
 */
import type { AbortOptions, IpfsConnector, Metric } from '@pinmesh/interface'
import type { NumPinInformerConfig } from './config.js'
import { invalidMetric, makeMetric, type TimedInformer } from './metric.js'

export function createNumPinInformer(config: NumPinInformerConfig, c: { peerId: string; ipfs: IpfsConnector }): TimedInformer {
  return {
    name: 'numpin',
    ttl: config.metric_ttl,
    async getMetric(options?: AbortOptions): Promise<Metric> {
      try {
        let n = 0
        for await (const entry of c.ipfs.pinLs(options)) if (entry.type !== 'indirect') n++
        return makeMetric({ name: 'numpin', peer: c.peerId, value: String(n), weight: 0, ttl: config.metric_ttl })
      } catch {
        return invalidMetric('numpin', c.peerId, config.metric_ttl)
      }
    },
  }
}
