import { register } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { registerMembershipMetrics } from '../src/index.js'

describe('membership metrics', () => {
  it('reports the peerset and connections at scrape time', async () => {
    let peers = ['a']
    registerMembershipMetrics({ peers: () => peers, connections: () => peers.length - 1 })
    expect(await register.getSingleMetricAsString('pinmesh_cluster_peers')).toMatch(/^pinmesh_cluster_peers 1$/m)
    peers = ['a', 'b', 'c']
    expect(await register.getSingleMetricAsString('pinmesh_cluster_peers')).toMatch(/^pinmesh_cluster_peers 3$/m)
    expect(await register.getSingleMetricAsString('pinmesh_cluster_connected_peers')).toMatch(/^pinmesh_cluster_connected_peers 2$/m)
    // Registering again (a restarted cluster in the same process) replaces the source.
    registerMembershipMetrics({ peers: () => ['x'], connections: () => 0 })
    expect(await register.getSingleMetricAsString('pinmesh_cluster_peers')).toMatch(/^pinmesh_cluster_peers 1$/m)
  })
})
