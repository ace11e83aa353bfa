/**
 * @pinmesh/http-api — Hono app factories for pinmesh's HTTP surfaces: the REST API that IPFS
 * Cluster clients understand (reference §1, plus bulk pinning), the Pinning Services API (§4),
 * and Prometheus `/metrics` (§10); their config parsers (`api.restapi`, `api.pinsvcapi`,
 * `observations.metrics`); and `serveApi`, which binds an app over HTTP or HTTPS with
 * `@hono/node-server` so streams can carry the `X-Stream-Error` trailer.
 *
 * @example
 * ```ts
 * const config = parseRestApiConfig(serviceJson.api?.restapi)
 * const api = await serveApi(createRestApi({ cluster, config }), config, { path: 'api.restapi', baseDir })
 * // ... later
 * await api.close()
 * ```
 */

export { addResponse, parseAddQuery, queryBool, registerAddRoute } from './add.js'
export { authenticate } from './auth.js'
export { type BulkPinError, type BulkPinResult, bulkPin } from './bulk.js'
export { sendJson } from './common.js'
export {
  envOverrides,
  type HttpApiConfig,
  METRICS_DEFAULT_ENDPOINT,
  type MetricsConfig,
  PINSVC_API_DEFAULT_LISTEN,
  type PinSvcApiConfig,
  parseMetricsConfig,
  parsePinSvcApiConfig,
  parseRestApiConfig,
  REST_API_DEFAULT_LISTEN,
  type RestApiConfig,
  restApiServiceJson,
  tcpListenAddress,
} from './config.js'
export { apiError, errorResponse, errorStatus, HttpError } from './errors.js'
export { signToken, verifyToken } from './jwt.js'
export { type ClusterMetricSources, createMetricsApp, registerClusterMetrics } from './metrics.js'
export { isMultipart, multipartEntries } from './multipart.js'
export { type NdjsonOptions, ndjson } from './ndjson.js'
export { createPinSvcApi, type PinSvcApiInit, type PinSvcStatusObject, pinSvcStatus } from './pinsvc.js'
export { createIpfsProxy, type IpfsProxyInit } from './proxy.js'
export { IPFSPROXY_DEFAULTS, type IpfsProxyConfig, parseIpfsProxyConfig } from './proxy-config.js'
export { createRestApi, parsePinTypeFilter, type RestApiInit, type RestCluster } from './rest.js'
export { type ServedApi, type ServeOptions, serveApi } from './serve.js'
export { type HttpApisInit, type RunningHttpApis, startHttpApis } from './start.js'
