/**
 * @pinmesh/http-api — Hono app factories for pinmesh's HTTP surfaces. They never bind a port.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server'
 * const app = createRestApi({ cluster })
 * serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 9094 })
 * ```
 */
export { addResponse, parseAddQuery, queryBool, registerAddRoute } from './add.js'
export { errorResponse, errorStatus } from './errors.js'
export { isMultipart, multipartEntries } from './multipart.js'
export { ndjson } from './ndjson.js'
export { createIpfsProxy, type IpfsProxyInit } from './proxy.js'
export { IPFSPROXY_DEFAULTS, type IpfsProxyConfig, parseIpfsProxyConfig } from './proxy-config.js'
export { createRestApi, type RestApiInit } from './rest.js'
