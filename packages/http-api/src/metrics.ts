/**
 * Prometheus exposition (reference §10): `GET /metrics` on `observations.metrics.prometheus_endpoint`
 * serving prom-client's default registry — upstream's cluster series that this peer can feed
 * (`ipfscluster_pins`), pinmesh's own (`pinmesh_*`, registered by each package), and Node
 * process metrics (`process_*`, `nodejs_*`).
 */
import { Hono } from 'hono'
import { collectDefaultMetrics, Gauge, register } from 'prom-client'

export interface ClusterMetricSources {
  /** Number of pins in the shared state (`ipfscluster_pins`). */
  pinCount?: () => Promise<number>
}

/** Registers upstream-named cluster gauges fed by `sources`, and Node's default metrics. Idempotent. */
export function registerClusterMetrics(sources: ClusterMetricSources): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) collectDefaultMetrics()
  const pinCount = sources.pinCount
  if (pinCount !== undefined && register.getSingleMetric('ipfscluster_pins') === undefined) {
    new Gauge({
      name: 'ipfscluster_pins',
      help: 'Number of pins in the shared state',
      async collect() {
        this.set(await pinCount())
      },
    })
  }
}

/** The metrics app: `GET /metrics` in the Prometheus text format. */
export function createMetricsApp(): Hono {
  const app = new Hono()
  app.get('/metrics', async (c) => c.body(await register.metrics(), 200, { 'Content-Type': register.contentType }))
  app.notFound((c) => c.text('not found: metrics are served at /metrics\n', 404))
  return app
}
