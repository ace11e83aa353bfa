/**
 * The `service.json` that `pinmesh init` writes: upstream's section names and keys where they
 * mean the same thing (reference §5.2), with pinmesh's defaults. Sections other packages own are
 * written here with their documented defaults; their parsers validate them at load.
 */
import { hostname } from 'node:os'
import { CLUSTER_DEFAULTS, generateSecret } from '@pinmesh/core'
import { restApiServiceJson } from '@pinmesh/http-api'
import { MONITOR_DEFAULTS } from '@pinmesh/monitor'

export function defaultServiceJson(options: { peername?: string; secret?: string; trustedPeers?: string[] } = {}): Record<string, unknown> {
  return {
    cluster: {
      peername: options.peername ?? hostname(),
      secret: options.secret ?? generateSecret(),
      ...structuredClone(CLUSTER_DEFAULTS),
    },
    consensus: {
      crdt: {
        cluster_name: 'ipfs-cluster',
        trusted_peers: options.trustedPeers ?? ['*'],
        batching: { max_batch_size: 1000, max_batch_age: '20ms', max_queue_size: 50000 },
        repair_interval: '1h0m0s',
      },
    },
    api: {
      restapi: restApiServiceJson(),
    },
    pin_tracker: { stateless: { concurrent_pins: 10, priority_pin_max_age: '24h0m0s', priority_pin_max_retries: 5 } },
    monitor: { pubsubmon: { ...MONITOR_DEFAULTS } },
    informer: {
      disk: { metric_ttl: '30s', metric_type: 'freespace' },
      pinqueue: { metric_ttl: '30s', weight_bucket_size: 100000 },
      tags: { metric_ttl: '30s', tags: { group: 'default' } },
    },
    allocator: { balanced: { allocate_by: ['tag:group', 'freespace'] } },
    observations: {
      metrics: { enable_stats: false, prometheus_endpoint: '/ip4/127.0.0.1/tcp/8888', reporting_interval: '30s' },
    },
  }
}
