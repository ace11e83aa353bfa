/** Prometheus metrics of the pinset, on prom-client's default registry. */
import { Counter, Histogram, register } from 'prom-client'

function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames })
}

function histogram(name: string, help: string, buckets: number[]): Histogram<string> {
  return (register.getSingleMetric(name) as Histogram<string> | undefined) ?? new Histogram({ name, help, buckets })
}

export const metrics = {
  commits: counter('pinmesh_pinset_commits_total', 'Group commits persisted'),
  batchSize: histogram('pinmesh_pinset_batch_size', 'Writes per group commit', [1, 10, 100, 500, 1000, 5000, 10000]),
  commitSeconds: histogram('pinmesh_pinset_commit_seconds', 'Time from commit start to durable', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]),
  gossipSent: counter('pinmesh_pinset_gossip_sent_bytes_total', 'Bytes of gossip messages published'),
  gossipMessagesSent: counter('pinmesh_pinset_gossip_sent_messages_total', 'Gossip messages published'),
  gossipReceived: counter('pinmesh_pinset_gossip_received_bytes_total', 'Bytes of gossip messages received'),
  rejected: counter('pinmesh_pinset_rejected_messages_total', 'Gossip messages and sync frames rejected', ['kind', 'reason']),
  syncSessions: counter('pinmesh_pinset_sync_sessions_total', 'Anti-entropy sync sessions', ['role', 'result']),
  syncBytes: counter('pinmesh_pinset_sync_bytes_total', 'Bytes moved by sync sessions', ['direction']),
  remoteUpdates: counter('pinmesh_pinset_remote_updates_total', 'Shard updates applied from other peers', ['via']),
}

/** Counts one rejected gossip message or sync frame. */
export function countRejected(kind: 'gossip' | 'sync', reason: string): void {
  metrics.rejected.inc({ kind, reason })
}
