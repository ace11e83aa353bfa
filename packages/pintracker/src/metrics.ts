/** Prometheus gauges of the tracker, with upstream's names (reference §10), on the default registry. */
import { Counter, Gauge, register } from 'prom-client'

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help })
}

function counter(name: string, help: string): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help })
}

export const trackerMetrics = {
  pinQueued: gauge('ipfscluster_pins_pin_queued', 'Pin operations currently queued'),
  pinning: gauge('ipfscluster_pins_pinning', 'Pin operations in progress'),
  pinError: gauge('ipfscluster_pins_pin_error', 'Pin operations in error'),
  pinAdd: counter('ipfscluster_pins_pin_add', 'Pin requests issued to the IPFS node'),
  pinAddErrors: counter('ipfscluster_pins_pin_add_errors', 'Failed pin requests to the IPFS node'),
  retries: counter('pinmesh_pintracker_retries_total', 'Automatic retries of failed pin/unpin operations'),
}
