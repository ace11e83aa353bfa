/**
 * The disk informer: `freespace` (weight = free bytes, more is better) or `reposize`
 * (weight = −bytes used). Free space comes from the IPFS node's repo stat (StorageMax −
 * RepoSize) or, cheaply, from `statfs` on the file system holding the IPFS repo folder. A failure
 * or no free space gives an invalid metric, which is never published (reference §7.5).
 */
import { statfs } from 'node:fs/promises'
import type { AbortOptions, IpfsConnector, Metric } from '@pinmesh/interface'
import { Gauge, register } from 'prom-client'
import type { DiskInformerConfig } from './config.js'
import { invalidMetric, makeMetric, type TimedInformer } from './metric.js'

export interface DiskInformerComponents {
  peerId: string
  ipfs: IpfsConnector
  /** The IPFS repo folder (embedded IPFS); enables the `statfs` source. */
  repoPath?: string
}

const diskGauge =
  (register.getSingleMetric('ipfscluster_informer_disk') as Gauge | undefined) ??
  new Gauge({ name: 'ipfscluster_informer_disk', help: 'Weight of the last disk metric (free bytes, or -reposize)' })

/** Free bytes of the file system holding `path` (available to unprivileged users). */
export async function filesystemFreeBytes(path: string): Promise<number> {
  const s = await statfs(path)
  return Number(s.bavail) * Number(s.bsize)
}

export function createDiskInformer(config: DiskInformerConfig, c: DiskInformerComponents): TimedInformer {
  const name = config.metric_type
  const useStatfs = config.metric_type === 'freespace' && (config.source === 'statfs' || (config.source === 'auto' && c.repoPath !== undefined))
  if (useStatfs && c.repoPath === undefined) throw new Error('informer.disk.source "statfs" needs the IPFS repo folder (embedded IPFS only)')
  return {
    name,
    ttl: config.metric_ttl,
    async getMetric(options?: AbortOptions): Promise<Metric> {
      try {
        let value: number
        let weight: number
        if (useStatfs) {
          value = await filesystemFreeBytes(c.repoPath as string)
          weight = value
        } else {
          const stat = await c.ipfs.repoStat(options)
          if (config.metric_type === 'freespace') {
            value = stat.storageMax - stat.repoSize
            weight = value
          } else {
            value = stat.repoSize
            weight = -value
          }
        }
        if (config.metric_type === 'freespace' && !(value > 0)) return invalidMetric(name, c.peerId, config.metric_ttl)
        diskGauge.set(weight)
        return makeMetric({ name, peer: c.peerId, value: String(value), weight, ttl: config.metric_ttl })
      } catch {
        return invalidMetric(name, c.peerId, config.metric_ttl)
      }
    },
  }
}
