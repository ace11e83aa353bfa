/**
 * Prometheus figures of membership on prom-client's default registry, read at scrape time:
 * `pinmesh_cluster_peers` (size of the peerset, self included) and
 * `pinmesh_cluster_connected_peers` (libp2p connections to other peers).
 */
import { Gauge, register } from 'prom-client'

export interface MembershipMetricsSource {
  peers(): string[]
  connections(): number
}

function gauge(name: string, help: string, read: () => number): void {
  // A second registration (tests, restarts in one process) replaces the first source.
  register.removeSingleMetric(name)
  new Gauge({
    name,
    help,
    collect() {
      this.set(read())
    },
  })
}

export function registerMembershipMetrics(source: MembershipMetricsSource): void {
  gauge('pinmesh_cluster_peers', 'Peers in the peerset (live ping metric), self included', () => source.peers().length)
  gauge('pinmesh_cluster_connected_peers', 'Other peers with an open libp2p connection', source.connections)
}
