/**
 * HTTP latency histograms for the APIs, on prom-client's default registry:
 * `pinmesh_http_request_duration_seconds{api, method, route, status}` where `route` is the
 * matched route pattern (`/pins/:cid`), never the raw path, so label sets stay bounded.
 */
import type { MiddlewareHandler } from 'hono'
import { Histogram, register } from 'prom-client'

const NAME = 'pinmesh_http_request_duration_seconds'

function histogram(): Histogram<'api' | 'method' | 'route' | 'status'> {
  return (
    (register.getSingleMetric(NAME) as Histogram<'api' | 'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: NAME,
      help: 'Duration of HTTP API requests (streams: until the last item was written), by API, method, route and status',
      labelNames: ['api', 'method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    })
  )
}

export function httpMetricsMiddleware(api: string): MiddlewareHandler {
  const h = histogram()
  return async (c, next) => {
    const end = h.startTimer()
    try {
      await next()
    } finally {
      const route = c.req.routePath === '/*' || c.req.routePath === '*' ? 'unmatched' : c.req.routePath
      end({ api, method: c.req.method, route, status: String(c.res.status) })
    }
  }
}
