/**
 * Deadlines for IPFS calls: a total timeout merged with the caller's signal, and an inactivity
 * timeout (upstream's `pin_timeout`) that fires when progress has stopped for too long.
 */
import { IpfsError } from '@pinmesh/interface'

/** The caller's signal combined with a total timeout (`0` = none). */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal | undefined {
  if (ms <= 0) return signal
  const timeout = AbortSignal.timeout(ms)
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout])
}

/** A signal that aborts when `touch()` has not been called for `ms` (0 = never) or the parent aborts. */
export interface Inactivity {
  signal: AbortSignal
  touch(): void
  /** True when the inactivity timer (not the parent) aborted. */
  readonly expired: boolean
  clear(): void
}

export function inactivity(parent: AbortSignal | undefined, ms: number, what: string): Inactivity {
  const controller = new AbortController()
  let expired = false
  let timer: NodeJS.Timeout | undefined
  const arm = () => {
    if (ms <= 0) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      expired = true
      controller.abort(new IpfsError(`${what}: no progress for ${ms} ms (pin_timeout)`))
    }, ms)
    timer.unref?.()
  }
  const onAbort = () => controller.abort(parent?.reason)
  if (parent?.aborted === true) controller.abort(parent.reason)
  else parent?.addEventListener('abort', onAbort, { once: true })
  arm()
  return {
    signal: controller.signal,
    touch: arm,
    get expired() {
      return expired
    },
    clear() {
      clearTimeout(timer)
      parent?.removeEventListener('abort', onAbort)
    },
  }
}

/** Wraps any failure in an `IpfsError` naming the operation (keeps IpfsErrors as they are). */
export function ipfsError(err: unknown, what: string, signal?: AbortSignal): IpfsError {
  if (err instanceof IpfsError) return err
  if (signal?.aborted === true && signal.reason instanceof IpfsError) return signal.reason
  const message = err instanceof Error ? err.message : String(err)
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : ''
  const timedOut = signal?.aborted === true && (signal.reason as Error | undefined)?.name === 'TimeoutError'
  return new IpfsError(`ipfs ${what} failed: ${timedOut ? 'timed out' : message}${cause}`, { cause: err })
}
