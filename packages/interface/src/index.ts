/**
 * @pinmesh/interface — the domain types of pinmesh (the wire shapes of upstream IPFS Cluster's
 * REST API), their JSON codecs, the role contracts every component implements, and the named
 * errors. Almost no runtime code.
 *
 * @example
 * ```ts
 * import { decodePin, encodePin, parseJson, stringifyJson } from '@pinmesh/interface'
 * const pin = decodePin(parseJson(line))          // throws InvalidArgumentError naming the field
 * process.stdout.write(stringifyJson(encodePin(pin)) + '\n')
 * ```
 */
export * from './codecs.js'
export * from './contracts.js'
export * from './drain.js'
export * from './duration.js'
export * from './errors.js'
export * from './json.js'
export * from './pin-options.js'
export * from './status.js'
export * from './types.js'
export * from './validate.js'
export * from './young-gc.js'

/** The upstream API version pinmesh speaks. */
export const API_VERSION = '1.1.6'
/** Our inter-peer RPC protocol id (shown as `rpc_protocol_version`). */
export const RPC_PROTOCOL = '/pinmesh/rpc/1.0.0'
