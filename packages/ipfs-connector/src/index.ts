/**
 * @pinmesh/ipfs-connector — implementations of the `IpfsConnector` contract: the embedded Helia
 * node (default) and, with the IPFS issue, Kubo over its RPC API.
 *
 * @example
 * ```ts
 * const ipfs = await createHeliaConnector({ path: '/var/lib/pinmesh/ipfs' })
 * await ipfs.start()
 * await ipfs.pin('bafy...')
 * ```
 */
export { createHeliaConnector, type HeliaConnector, type HeliaConnectorInit } from './helia.js'
