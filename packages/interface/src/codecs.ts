/**
 * JSON codecs for the domain types. `decodeX(value, path?)` validates a parsed JSON value and
 * returns a complete object (absent fields take upstream's defaults, present fields must have the
 * right type, errors name the field path). `encodeX(x)` returns a plain object whose key order is
 * upstream's emission order, ready for `stringifyJson`.
 */
import { InvalidArgumentError } from './errors.js'
import { isTrackerStatus, TRACKER_STATUSES } from './status.js'
import type { AddedOutput, Alert, GlobalPinInfo, ID, Metric, Pin, PinInfo, PinInfoShort, PinMode, PinOptions, PinType } from './types.js'
import { PIN_TYPES } from './types.js'
import { ObjectReader, ZERO_TIME } from './validate.js'

const PIN_MODES: readonly PinMode[] = ['recursive', 'direct']

function replication(r: ObjectReader, key: string): number {
  return r.int(key, 0, -1)
}

/** Decodes pin options (the first ten fields of a Pin). */
export function decodePinOptions(value: unknown, path = ''): PinOptions {
  const r = new ObjectReader(value, path)
  return {
    replication_factor_min: replication(r, 'replication_factor_min'),
    replication_factor_max: replication(r, 'replication_factor_max'),
    name: r.string('name', ''),
    mode: r.oneOf('mode', PIN_MODES, 'recursive'),
    shard_size: r.int('shard_size', 0, 0),
    user_allocations: r.stringArray('user_allocations', true),
    expire_at: r.time('expire_at', ZERO_TIME),
    metadata: r.stringMap('metadata'),
    pin_update: r.nullableCid('pin_update'),
    origins: r.stringArray('origins'),
  }
}

/**
 * Decodes a Pin. Lenient like upstream's import for absent fields, but pinmesh defaults a missing
 * `type` to `pin` and a missing `max_depth` to the mode's depth (upstream stores `bad-type`/0).
 */
export function decodePin(value: unknown, path = ''): Pin {
  const options = decodePinOptions(value, path)
  const r = new ObjectReader(value, path)
  const type = r.oneOf<PinType>('type', PIN_TYPES, 'pin')
  const maxDepth = r.int('max_depth', options.mode === 'direct' ? 0 : -1, -1)
  return {
    ...options,
    // On read-back upstream derives mode from max_depth.
    mode: r.has('max_depth') ? (maxDepth === 0 ? 'direct' : 'recursive') : options.mode,
    cid: r.cid('cid'),
    type,
    allocations: r.stringArray('allocations'),
    max_depth: maxDepth,
    reference: r.nullableCid('reference'),
    timestamp: r.time('timestamp', ZERO_TIME),
  }
}

export function encodePinOptions(o: PinOptions): PinOptions {
  return {
    replication_factor_min: o.replication_factor_min,
    replication_factor_max: o.replication_factor_max,
    name: o.name,
    mode: o.mode,
    shard_size: o.shard_size,
    user_allocations: o.user_allocations,
    expire_at: o.expire_at,
    metadata: o.metadata,
    pin_update: o.pin_update,
    origins: o.origins,
  }
}

export function encodePin(p: Pin): Pin {
  return {
    ...encodePinOptions(p),
    cid: p.cid,
    type: p.type,
    allocations: p.allocations,
    max_depth: p.max_depth,
    reference: p.reference,
    timestamp: p.timestamp,
  }
}

function decodeStatusFields(r: ObjectReader): PinInfoShort {
  const status = r.string('status', 'undefined')
  if (!isTrackerStatus(status)) {
    throw new InvalidArgumentError(`expected one of ${TRACKER_STATUSES.join(', ')}, got ${JSON.stringify(status)}`, `${r.path}.status`)
  }
  const short: PinInfoShort = {
    peername: r.string('peername', ''),
    status,
    timestamp: r.time('timestamp', ZERO_TIME),
    error: r.string('error', ''),
    attempt_count: r.int('attempt_count', 0, 0),
    priority_pin: r.bool('priority_pin', false),
  }
  const ipfsId = r.string('ipfs_peer_id', '')
  const ipfsAddrs = r.stringArray('ipfs_peer_addresses')
  return encodePinInfoShort({
    ...short,
    ...(ipfsId !== '' ? { ipfs_peer_id: ipfsId } : {}),
    ...(ipfsAddrs.length > 0 ? { ipfs_peer_addresses: ipfsAddrs } : {}),
  })
}

/** Encodes a PinInfoShort, omitting empty `ipfs_peer_id` / `ipfs_peer_addresses` as upstream does. */
export function encodePinInfoShort(s: PinInfoShort): PinInfoShort {
  return {
    peername: s.peername,
    ...(s.ipfs_peer_id ? { ipfs_peer_id: s.ipfs_peer_id } : {}),
    ...(s.ipfs_peer_addresses && s.ipfs_peer_addresses.length > 0 ? { ipfs_peer_addresses: s.ipfs_peer_addresses } : {}),
    status: s.status,
    timestamp: s.timestamp,
    error: s.error,
    attempt_count: s.attempt_count,
    priority_pin: s.priority_pin,
  }
}

export function decodePinInfoShort(value: unknown, path = ''): PinInfoShort {
  return decodeStatusFields(new ObjectReader(value, path))
}

export function decodeGlobalPinInfo(value: unknown, path = ''): GlobalPinInfo {
  const r = new ObjectReader(value, path)
  const peerMap: Record<string, PinInfoShort> = {}
  const pm = r.child('peer_map')
  for (const peer of Object.keys(pm.obj)) {
    peerMap[peer] = decodePinInfoShort(pm.obj[peer], `${pm.path}.${peer}`)
  }
  return {
    cid: r.cid('cid'),
    name: r.string('name', ''),
    allocations: r.stringArray('allocations'),
    origins: r.stringArray('origins'),
    created: r.time('created', ZERO_TIME),
    metadata: r.stringMap('metadata'),
    peer_map: peerMap,
  }
}

export function encodeGlobalPinInfo(g: GlobalPinInfo): GlobalPinInfo {
  const peerMap: Record<string, PinInfoShort> = {}
  for (const [peer, s] of Object.entries(g.peer_map)) peerMap[peer] = encodePinInfoShort(s)
  return {
    cid: g.cid,
    name: g.name,
    allocations: g.allocations,
    origins: g.origins,
    created: g.created,
    metadata: g.metadata,
    peer_map: peerMap,
  }
}

export function decodePinInfo(value: unknown, path = ''): PinInfo {
  const r = new ObjectReader(value, path)
  return {
    cid: r.cid('cid'),
    name: r.string('name', ''),
    peer: r.string('peer', ''),
    allocations: r.stringArray('allocations'),
    origins: r.stringArray('origins'),
    created: r.time('created', ZERO_TIME),
    metadata: r.stringMap('metadata'),
    ...decodeStatusFields(r),
  }
}

/** Splits a PinInfo into its short per-peer part. */
export function toPinInfoShort(p: PinInfo): PinInfoShort {
  return encodePinInfoShort(p)
}

/**
 * Merges per-peer PinInfos into GlobalPinInfos' rule: top-level fields come from the first info
 * or from any info whose status is not `cluster_error`.
 */
export function mergePinInfo(global: GlobalPinInfo | undefined, info: PinInfo): GlobalPinInfo {
  const short = toPinInfoShort(info)
  if (global === undefined || info.status !== 'cluster_error') {
    return {
      cid: info.cid,
      name: info.name,
      allocations: info.allocations,
      origins: info.origins,
      created: info.created,
      metadata: info.metadata,
      peer_map: { ...(global?.peer_map ?? {}), [info.peer]: short },
    }
  }
  global.peer_map[info.peer] = short
  return global
}

export function decodeId(value: unknown, path = ''): ID {
  const r = new ObjectReader(value, path)
  const ipfs = r.has('ipfs') ? r.child('ipfs') : new ObjectReader({}, `${path}.ipfs`)
  const ipfsId = ipfs.string('id', '')
  return {
    id: r.string('id'),
    addresses: r.stringArray('addresses', true),
    cluster_peers: r.stringArray('cluster_peers'),
    cluster_peers_addresses: r.stringArray('cluster_peers_addresses'),
    version: r.string('version', ''),
    commit: r.string('commit', ''),
    rpc_protocol_version: r.string('rpc_protocol_version', ''),
    error: r.string('error', ''),
    ipfs: { ...(ipfsId !== '' ? { id: ipfsId } : {}), addresses: ipfs.stringArray('addresses', true), error: ipfs.string('error', '') },
    peername: r.string('peername', ''),
  }
}

export function encodeId(id: ID): ID {
  return {
    id: id.id,
    addresses: id.addresses,
    cluster_peers: id.cluster_peers,
    cluster_peers_addresses: id.cluster_peers_addresses,
    version: id.version,
    commit: id.commit,
    rpc_protocol_version: id.rpc_protocol_version,
    error: id.error,
    ipfs: { ...(id.ipfs.id ? { id: id.ipfs.id } : {}), addresses: id.ipfs.addresses, error: id.ipfs.error },
    peername: id.peername,
  }
}

export function decodeMetric(value: unknown, path = ''): Metric {
  const r = new ObjectReader(value, path)
  return {
    name: r.string('name'),
    peer: r.string('peer', ''),
    value: r.string('value', ''),
    expire: r.bigint('expire', 0n),
    valid: r.bool('valid', false),
    weight: r.int('weight', 0),
    partitionable: r.bool('partitionable', false),
    received_at: r.bigint('received_at', 0n),
  }
}

export function encodeMetric(m: Metric): Metric {
  return {
    name: m.name,
    peer: m.peer,
    value: m.value,
    expire: m.expire,
    valid: m.valid,
    weight: m.weight,
    partitionable: m.partitionable,
    received_at: m.received_at,
  }
}

export function decodeAlert(value: unknown, path = ''): Alert {
  const r = new ObjectReader(value, path)
  return { ...decodeMetric(value, path), triggered_at: r.time('triggered_at', ZERO_TIME) }
}

export function encodeAlert(a: Alert): Alert {
  return { ...encodeMetric(a), triggered_at: a.triggered_at }
}

export function decodeAddedOutput(value: unknown, path = ''): AddedOutput {
  const r = new ObjectReader(value, path)
  return encodeAddedOutput({
    name: r.string('name', ''),
    cid: r.nullableCid('cid'),
    bytes: r.int('bytes', 0, 0),
    size: r.int('size', 0, 0),
    allocations: r.stringArray('allocations'),
  })
}

/** Encodes AddedOutput, omitting zero `bytes`/`size` and empty `allocations` as upstream does. */
export function encodeAddedOutput(o: AddedOutput): AddedOutput {
  return {
    name: o.name,
    cid: o.cid,
    ...(o.bytes ? { bytes: o.bytes } : {}),
    ...(o.size ? { size: o.size } : {}),
    ...(o.allocations && o.allocations.length > 0 ? { allocations: o.allocations } : {}),
  }
}
