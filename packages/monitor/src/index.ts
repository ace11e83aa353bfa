/**
 * @pinmesh/monitor — pinmesh informers and metric monitor.
 *
 * The informers (`./informers`) produce this peer's metrics: free space, tags, pin queue, number
 * of pins. The metric monitor (gossip of metrics with TTLs, latest store, alerts) arrives with the
 * cluster-peer issue.
 */
export * from './informers/index.js'
