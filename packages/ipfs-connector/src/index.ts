/**
 * @pinmesh/ipfs-connector — implementations of the `IpfsConnector` contract:
 *
 * - `createKuboConnector(config)` drives a Kubo daemon over its RPC API (kubo-rpc-client), the
 *   production setup; configured by `ipfs_connector.ipfshttp` (upstream's keys and defaults).
 * - `createHeliaConnector({ path })` embeds a Helia node with blocks and pins on disk and a
 *   private libp2p host; the default when no Kubo address is configured.
 *
 * Both pass one compliance suite (`test/compliance.ts`) and build the same CIDs as `ipfs add`.
 *
 * @example
 * ```ts
 * const ipfs = process.env.CLUSTER_IPFSHTTP_NODEMULTIADDRESS
 *   ? createKuboConnector(parseIpfsHttpConfig({ node_multiaddress: process.env.CLUSTER_IPFSHTTP_NODEMULTIADDRESS }))
 *   : await createHeliaConnector({ path: '/var/lib/pinmesh/ipfs' })
 * await ipfs.pin('bafy...', { signal: AbortSignal.timeout(60_000) })
 * ```
 */
export {
  EMBEDDED_DEFAULTS,
  type EmbeddedIpfsConfig,
  formatIpfsHttpConfig,
  IPFSHTTP_DEFAULTS,
  type IpfsHttpConfig,
  kuboApiUrl,
  parseEmbeddedIpfsConfig,
  parseIpfsHttpConfig,
} from './config.js'
export { createHeliaConnector, type HeliaConnector, type HeliaConnectorInit } from './helia.js'
export { createKuboConnector, type KuboConnector, type KuboConnectorComponents } from './kubo.js'
export { importerOptions, KUBO_ADD_DEFAULTS, parseChunker } from './unixfs-options.js'
