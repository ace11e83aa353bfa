/**
 * The tracker's `expire` hook: removes an expired pin from the pinset cluster-wide. Every peer's
 * tracker fires at the pin's `expire_at`; only the closest live trusted peer (`closest.ts`)
 * removes it at once, so the cluster writes one tombstone, not one per peer. The others look
 * again after `fallback` ms and remove it if it is still there (the closest peer may have died
 * or not have seen the pin yet).
 */
import type { Pin, Pinset } from '@pinmesh/interface'
import { timeToMillis, ZERO_TIME } from '@pinmesh/interface'
import type { Logger } from 'pino'
import { isClosest } from './closest.js'

export interface ExpireHookComponents {
  peerId: string
  pinset: Pick<Pinset, 'get' | 'remove'>
  /** Peers alive right now (live ping metric). */
  livePeers: () => Iterable<string>
  isTrusted?: (peer: string) => boolean
  logger: Logger
}

export function createExpireHook(options: { fallback: number }, c: ExpireHookComponents): (pin: Pin) => Promise<void> {
  const trusted = c.isTrusted ?? (() => true)
  const removeIfExpired = async (cid: string): Promise<void> => {
    const current = await c.pinset.get(cid)
    if (current === undefined || current.expire_at === ZERO_TIME || timeToMillis(current.expire_at) > Date.now()) return
    await c.pinset.remove(cid)
    c.logger.info({ cid, expire_at: current.expire_at }, 'expired pin removed')
  }
  return async (pin: Pin) => {
    const live = [...c.livePeers()].filter(trusted)
    if (isClosest(c.peerId, pin.cid, live)) return removeIfExpired(pin.cid)
    const timer = setTimeout(() => {
      removeIfExpired(pin.cid).catch((err) => c.logger.warn({ cid: pin.cid, err: (err as Error).message }, 'removing expired pin failed'))
    }, options.fallback)
    timer.unref()
  }
}
