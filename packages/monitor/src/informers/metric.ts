/** Building metrics: expiry in Unix nanoseconds from a TTL in milliseconds. */
import type { Informer, Metric } from '@pinmesh/interface'
import { msToNs, nowNs } from '../time.js'

/** An informer that says how long its metrics live (the publisher re-sends every TTL/2). */
export interface TimedInformer extends Informer {
  /** Metric TTL in milliseconds. */
  readonly ttl: number
}

export function makeMetric(init: {
  name: string
  peer: string
  value: string
  weight?: number
  ttl: number
  valid?: boolean
  partitionable?: boolean
}): Metric {
  return {
    name: init.name,
    peer: init.peer,
    value: init.value,
    expire: nowNs() + msToNs(init.ttl),
    valid: init.valid ?? true,
    weight: init.weight ?? 0,
    partitionable: init.partitionable ?? false,
    received_at: 0n,
  }
}

/** An invalid metric: never published, never counted (reference §7.5). */
export function invalidMetric(name: string, peer: string, ttl: number): Metric {
  return makeMetric({ name, peer, value: '', ttl, valid: false })
}
