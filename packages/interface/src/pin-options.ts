/**
 * Pin options as query parameters (reference §1.7), shared by `POST /pins`, `POST /add` and the
 * IPFS proxy, and the constructor of a fresh Pin.
 */
import { parseDuration } from './duration.js'
import { InvalidArgumentError } from './errors.js'
import type { Pin, PinOptions } from './types.js'
import { formatTime, isRfc3339, parseCid, ZERO_TIME } from './validate.js'

/** Options with every field at its default (replication 0 = "use the cluster default"). */
export function defaultPinOptions(): PinOptions {
  return {
    replication_factor_min: 0,
    replication_factor_max: 0,
    name: '',
    mode: 'recursive',
    shard_size: 0,
    user_allocations: null,
    expire_at: ZERO_TIME,
    metadata: {},
    pin_update: null,
    origins: [],
  }
}

function int(params: URLSearchParams, key: string, message: string): number | undefined {
  const v = params.get(key)
  if (v === null || v === '') return undefined
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(message)
  return Number(v)
}

/** Parses pin options from a query string; throws `InvalidArgumentError` with upstream's texts. */
export function parsePinOptionsQuery(params: URLSearchParams, now: number = Date.now()): PinOptions {
  const o = defaultPinOptions()
  o.name = params.get('name') ?? ''
  o.mode = params.get('mode') === 'direct' ? 'direct' : 'recursive'
  const rep = int(params, 'replication', 'parameter replication invalid')
  const rmin = int(params, 'replication-min', 'parameter replication-min invalid')
  const rmax = int(params, 'replication-max', 'parameter replication-max invalid')
  o.replication_factor_min = rep ?? rmin ?? 0
  o.replication_factor_max = rep ?? rmax ?? 0
  for (const [key, v] of [
    ['replication-min', o.replication_factor_min],
    ['replication-max', o.replication_factor_max],
  ] as const) {
    if (v < -1) throw new InvalidArgumentError(`parameter ${key} invalid: must be -1, 0 or positive, got ${v}`)
  }
  const shard = params.get('shard-size')
  if (shard !== null && shard !== '') {
    if (!/^\d+$/.test(shard)) throw new InvalidArgumentError('parameter shard_size is invalid')
    o.shard_size = Number(shard)
  }
  const ua = params.get('user-allocations')
  if (ua !== null && ua !== '')
    o.user_allocations = ua
      .split(',')
      .filter((p) => p.trim() !== '')
      .map((p) => p.trim())
  const expireAt = params.get('expire-at')
  const expireIn = params.get('expire-in')
  if (expireAt !== null && expireAt !== '') {
    if (!isRfc3339(expireAt)) throw new InvalidArgumentError(`expire-at cannot be parsed: ${JSON.stringify(expireAt)} is not an RFC 3339 time`)
    o.expire_at = expireAt
  } else if (expireIn !== null && expireIn !== '') {
    let ms: number
    try {
      ms = parseDuration(expireIn)
    } catch (err) {
      throw new InvalidArgumentError(`expire-in cannot be parsed: ${(err as Error).message}`)
    }
    if (ms < 1000) throw new InvalidArgumentError('expire-in duration too short')
    o.expire_at = formatTime(now + ms)
  }
  const metadata: Record<string, string> = {}
  for (const [k, v] of params) {
    if (k.startsWith('meta-') && k.length > 5) metadata[k.slice(5)] = v
  }
  o.metadata = metadata
  const update = params.get('pin-update')
  if (update !== null && update !== '') {
    parseCid(update)
    o.pin_update = update
  }
  const origins = params.get('origins')
  if (origins !== null && origins !== '') {
    o.origins = origins.split(',').map((a) => a.trim())
    for (const a of o.origins) {
      if (!a.startsWith('/') || !/\/p2p\/[^/]+/.test(a))
        throw new InvalidArgumentError(`origins: multiaddress ${JSON.stringify(a)} must contain /p2p/<peer id>`)
    }
  }
  return o
}

/** Serialises options as the Go client does (always min, max, name, mode, shard-size, user-allocations). */
export function pinOptionsToQuery(o: Partial<PinOptions>): URLSearchParams {
  const q = new URLSearchParams()
  q.set('replication-min', String(o.replication_factor_min ?? 0))
  q.set('replication-max', String(o.replication_factor_max ?? 0))
  q.set('name', o.name ?? '')
  q.set('mode', o.mode ?? 'recursive')
  q.set('shard-size', String(o.shard_size ?? 0))
  q.set('user-allocations', (o.user_allocations ?? []).join(','))
  if (o.expire_at !== undefined && o.expire_at !== ZERO_TIME) q.set('expire-at', o.expire_at)
  for (const [k, v] of Object.entries(o.metadata ?? {})) q.set(`meta-${k}`, v)
  if (o.pin_update) q.set('pin-update', o.pin_update)
  if (o.origins && o.origins.length > 0) q.set('origins', o.origins.join(','))
  return q
}

/** A fresh `pin`-type Pin for `cid` with the given options (allocations empty, timestamp now). */
export function newPin(cid: string, options: PinOptions, now: number = Date.now()): Pin {
  return {
    ...options,
    cid,
    type: 'pin',
    allocations: [],
    max_depth: options.mode === 'direct' ? 0 : -1,
    reference: null,
    timestamp: formatTime(now),
  }
}
