/**
 * Starts a peer's HTTP surfaces in one call: the REST API, the Pinning Services API (when its
 * section is configured) and the Prometheus endpoint (when `enable_stats`). Configs come from
 * the caller (the config loader) or, when absent, from upstream's `CLUSTER_RESTAPI_*`,
 * `CLUSTER_PINSVCAPI_*` and `CLUSTER_METRICS_*` environment variables over the defaults.
 */
import type { Logger } from 'pino'
import {
  envOverrides,
  type MetricsConfig,
  type PinSvcApiConfig,
  parseMetricsConfig,
  parsePinSvcApiConfig,
  parseRestApiConfig,
  type RestApiConfig,
} from './config.js'
import { type ClusterMetricSources, createMetricsApp, registerClusterMetrics } from './metrics.js'
import { createPinSvcApi } from './pinsvc.js'
import { createRestApi, type RestCluster } from './rest.js'
import { type ServedApi, serveApi } from './serve.js'

export interface HttpApisInit {
  cluster: RestCluster
  logger: Logger
  /** The peer's folder (relative certificate paths). */
  baseDir: string
  rest?: RestApiConfig
  /** `null` = disabled; `undefined` = enabled only when `CLUSTER_PINSVCAPI_HTTPLISTENMULTIADDRESS` is set. */
  pinsvc?: PinSvcApiConfig | null
  metrics?: MetricsConfig
  sources?: ClusterMetricSources
  env?: NodeJS.ProcessEnv
}

export interface RunningHttpApis {
  rest: ServedApi
  pinsvc?: ServedApi
  metrics?: ServedApi
  close(): Promise<void>
}

/** Starts every configured API; closes what started if one fails to bind. */
export async function startHttpApis(init: HttpApisInit): Promise<RunningHttpApis> {
  const env = init.env ?? process.env
  const log = init.logger.child({ component: 'http-api' })
  const restConfig = init.rest ?? parseRestApiConfig(envOverrides('RESTAPI', env))
  const pinsvcConfig =
    init.pinsvc !== undefined
      ? init.pinsvc
      : env.CLUSTER_PINSVCAPI_HTTPLISTENMULTIADDRESS !== undefined
        ? parsePinSvcApiConfig(envOverrides('PINSVCAPI', env))
        : null
  const metricsConfig = init.metrics ?? parseMetricsConfig(envOverrides('METRICS', env))
  const started: ServedApi[] = []
  try {
    const rest = await serveApi(createRestApi({ cluster: init.cluster, config: restConfig, logger: log.child({ api: 'rest' }) }), restConfig, {
      path: 'api.restapi',
      baseDir: init.baseDir,
    })
    started.push(rest)
    log.info({ urls: rest.urls, auth: restConfig.basic_auth_credentials !== null }, 'rest api listening')
    let pinsvc: ServedApi | undefined
    if (pinsvcConfig !== null) {
      pinsvc = await serveApi(createPinSvcApi({ cluster: init.cluster, config: pinsvcConfig, logger: log.child({ api: 'pinsvc' }) }), pinsvcConfig, {
        path: 'api.pinsvcapi',
        baseDir: init.baseDir,
      })
      started.push(pinsvc)
      log.info({ urls: pinsvc.urls }, 'pinning services api listening')
    }
    let metrics: ServedApi | undefined
    if (metricsConfig.enable_stats) {
      registerClusterMetrics(init.sources ?? {})
      const mc = parseRestApiConfig({ http_listen_multiaddress: metricsConfig.prometheus_endpoint }, 'observations.metrics')
      metrics = await serveApi(createMetricsApp(), mc, { path: 'observations.metrics' })
      started.push(metrics)
      log.info({ urls: metrics.urls.map((u) => `${u}/metrics`) }, 'prometheus metrics listening')
    }
    return {
      rest,
      ...(pinsvc !== undefined ? { pinsvc } : {}),
      ...(metrics !== undefined ? { metrics } : {}),
      close: async () => {
        await Promise.all(started.map((s) => s.close()))
      },
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.close()))
    throw err
  }
}
