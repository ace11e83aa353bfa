/**
 * @pinmesh/client — a typed client for pinmesh's REST API (the IPFS Cluster REST API plus bulk
 * pinning). Node-only (`node:http`), so streamed routes can check the `X-Stream-Error` trailer.
 *
 * @example
 * ```ts
 * const client = new PinmeshClient({ hosts: ['/ip4/10.0.0.1/tcp/9094', '/ip4/10.0.0.2/tcp/9094'], username: 'admin', password: 'secret' })
 * await client.pinPath(cid, { name: 'site', replication_factor_min: 2, replication_factor_max: 3 })
 * for await (const info of client.statusAll({ filter: 'pin_error' })) console.log(info.cid)
 * ```
 */
export {
  type AddOptions,
  type BandwidthByProtocol,
  type BulkPinInput,
  type BulkPinOutput,
  type ClientConfig,
  type LocalOptions,
  PinmeshClient,
  type RequestOptions,
  type StatusAllOptions,
} from './client.js'
export { ClientError } from './errors.js'
export { type AddEntry, multipartBody } from './multipart.js'
