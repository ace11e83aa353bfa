import { InvalidConfigError } from '@pinmesh/interface'
import { describe, expect, it } from 'vitest'
import { envOverrides, parseMetricsConfig, parsePinSvcApiConfig, parseRestApiConfig, restApiServiceJson } from '../src/config.js'

describe('config sections', () => {
  it('writes the REST section init puts in service.json from the parser defaults (same values, upstream form)', () => {
    const written = restApiServiceJson()
    expect(parseRestApiConfig(JSON.parse(JSON.stringify(written)))).toEqual(parseRestApiConfig(undefined))
    expect(written).toMatchObject({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/9094', read_header_timeout: '5s', idle_timeout: '2m0s', cors_max_age: '0s' })
  })

  it('fills upstream defaults', () => {
    const c = parseRestApiConfig(undefined)
    expect(c.http_listen_multiaddress).toEqual(['/ip4/127.0.0.1/tcp/9094'])
    expect(c.read_header_timeout).toBe(5000)
    expect(c.idle_timeout).toBe(120_000)
    expect(c.max_header_bytes).toBe(4096)
    expect(c.basic_auth_credentials).toBeNull()
    expect(c.cors_allowed_origins).toEqual(['*'])
    expect(c.cors_allowed_methods).toEqual(['GET'])
    expect(c.cors_exposed_headers).toEqual(['Content-Type', 'X-Stream-Output', 'X-Chunked-Output', 'X-Content-Length'])
    expect(c.cors_allow_credentials).toBe(true)
    expect(parsePinSvcApiConfig({}).http_listen_multiaddress).toEqual(['/ip4/127.0.0.1/tcp/9097'])
    expect(parseMetricsConfig(undefined)).toEqual({ enable_stats: false, prometheus_endpoint: '/ip4/127.0.0.1/tcp/8888', reporting_interval: 30_000 })
  })

  it('names the key path of bad values', () => {
    expect(() => parseRestApiConfig({ basic_auth_credentials: {} })).toThrow(/api\.restapi\.basic_auth_credentials should be null or have at least one entry/)
    expect(() => parseRestApiConfig({ max_header_bytes: 100 })).toThrow(/api\.restapi\.max_header_bytes/)
    expect(() => parseRestApiConfig({ idle_timeout: '2 minutes' })).toThrow(/api\.restapi\.idle_timeout/)
    expect(() => parseRestApiConfig({ http_listen_multiaddress: 'localhost:9094' })).toThrow(/http_listen_multiaddress/)
    expect(() => parseRestApiConfig({ ssl_cert_file: 'cert.pem' })).toThrow(/ssl_cert_file/)
    expect(() => parseMetricsConfig({ enable_stats: 'yes' })).toThrow(InvalidConfigError)
    expect(() => parsePinSvcApiConfig([], 'api.pinsvcapi')).toThrow(/api\.pinsvcapi must be a JSON object/)
  })

  it('reads upstream CLUSTER_* variables', () => {
    const env = {
      CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: 'admin:s3cr3t:x,bob:pw',
      CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/1234',
      CLUSTER_RESTAPI_CORSALLOWCREDENTIALS: 'false',
      CLUSTER_METRICS_ENABLESTATS: 'true',
      CLUSTER_METRICS_PROMETHEUSENDPOINT: '/ip4/127.0.0.1/tcp/9999',
    }
    const rest = parseRestApiConfig(envOverrides('RESTAPI', env))
    expect(rest.basic_auth_credentials).toEqual({ admin: 's3cr3t:x', bob: 'pw' })
    expect(rest.http_listen_multiaddress).toEqual(['/ip4/127.0.0.1/tcp/1234'])
    expect(rest.cors_allow_credentials).toBe(false)
    expect(parseMetricsConfig(envOverrides('METRICS', env))).toMatchObject({ enable_stats: true, prometheus_endpoint: '/ip4/127.0.0.1/tcp/9999' })
    expect(() => parseMetricsConfig(envOverrides('METRICS', { CLUSTER_METRICS_ENABLESTATS: 'maybe' }))).toThrow(/observations\.metrics\.enable_stats/)
    // A config loader that passes the env string through unconverted gets the same result.
    expect(parseRestApiConfig({ basic_auth_credentials: 'admin:s3cr3t:x,bob:pw' }).basic_auth_credentials).toEqual({ admin: 's3cr3t:x', bob: 'pw' })
    expect(() => parseRestApiConfig({ basic_auth_credentials: 'admin' })).toThrow(/basic_auth_credentials\.admin/)
  })
})
