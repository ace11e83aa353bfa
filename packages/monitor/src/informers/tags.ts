/**
 * Tag informers: one `tag:<name>` metric per configured tag, value = the tag's value, weight 0,
 * partitionable — the allocator groups peers with the same value (e.g. a region) and spreads
 * replicas across groups. No tags → no informers.
 */
import type { Metric } from '@pinmesh/interface'
import type { TagsInformerConfig } from './config.js'
import { makeMetric, type TimedInformer } from './metric.js'

export function createTagInformers(config: TagsInformerConfig, c: { peerId: string }): TimedInformer[] {
  return Object.entries(config.tags).map(([tag, value]) => ({
    name: `tag:${tag}`,
    ttl: config.metric_ttl,
    async getMetric(): Promise<Metric> {
      return makeMetric({ name: `tag:${tag}`, peer: c.peerId, value, weight: 0, ttl: config.metric_ttl, partitionable: true })
    },
  }))
}
