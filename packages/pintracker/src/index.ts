/**
 * @pinmesh/pintracker — makes the local IPFS node pin what the shared pinset allocates to this
 * peer (or everything, for pins with replication -1), releases what is no longer allocated, and
 * reports per-peer status from shared state × what IPFS really pins × in-flight operations
 * (reference §6).
 *
 * Three bounded queues (priority pin / pin / unpin), `concurrent_pins` workers, automatic
 * retries with exponential backoff, deprioritisation of pins that keep failing, an inactivity
 * timeout on pins, recover one / all, periodic reconciliation, `expire_at` removal, and a
 * streamed `statusAll` whose memory stays flat.
 *
 * @example
 * ```ts
 * const tracker = createPinTracker(parsePinTrackerConfig(config.pin_tracker?.stateless), {
 *   ipfs, pinset, peerId, peername, logger: logger.child({ component: 'pintracker' }),
 *   expire: (pin) => cluster.expirePin(pin),
 * })
 * await tracker.start()           // follows pinset changes; reconciles with IPFS in the background
 * for await (const info of tracker.statusAll(0)) console.log(info.cid, info.status)
 * ```
 */
import type { PinTracker } from '@pinmesh/interface'
import type { PinTrackerConfig } from './config.js'
import { type PinTrackerComponents, StatelessPinTracker } from './tracker.js'

export { PIN_TRACKER_DEFAULTS, type PinTrackerConfig, parsePinTrackerConfig } from './config.js'
export { isAllocatedTo, type PinTrackerComponents, StatelessPinTracker } from './tracker.js'

/** Creates the stateless pin tracker. Missing config keys take `PIN_TRACKER_DEFAULTS`. */
export function createPinTracker(config: Partial<PinTrackerConfig>, components: PinTrackerComponents): PinTracker {
  return new StatelessPinTracker(config, components)
}
