import type { PinTracker } from '@pinmesh/interface'
import { InvalidConfigError, parseStatusFilter } from '@pinmesh/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../../../test/helpers/wait.js'
import { createPinTracker, PIN_TRACKER_DEFAULTS, type PinTrackerConfig, parsePinTrackerConfig, StatelessPinTracker } from '../src/index.js'
import { cidOf, FakeIpfs, logger, MemoryPinset, OTHER, pinOf, SELF } from './fakes.js'

let tracker: PinTracker | undefined

afterEach(async () => {
  await tracker?.stop()
  tracker = undefined
})

async function setup(config: Partial<PinTrackerConfig> = {}, extra: { expire?: (pin: import('@pinmesh/interface').Pin) => Promise<void> } = {}) {
  const pinset = new MemoryPinset()
  const ipfs = new FakeIpfs()
  const t = new StatelessPinTracker(
    { retry_backoff_min: 50, retry_backoff_max: 200, pin_recover_interval: 0, ...config },
    { ipfs, pinset, peerId: SELF, peername: 'self', logger, ...extra },
  )
  tracker = t
  await t.start()
  await t.reconciled()
  return { pinset, ipfs, tracker: t }
}

const statusOf = async (t: PinTracker, cid: string) => (await t.status(cid)).status

describe('pin_tracker.stateless config', () => {
  it('defaults and upstream keys', () => {
    expect(parsePinTrackerConfig(undefined)).toEqual(PIN_TRACKER_DEFAULTS)
    const c = parsePinTrackerConfig({ concurrent_pins: 3, priority_pin_max_age: '1h0m0s', priority_pin_max_retries: 2, max_pin_queue_size: 7 })
    expect(c).toMatchObject({ concurrent_pins: 3, priority_pin_max_age: 3_600_000, priority_pin_max_retries: 2, max_pin_queue_size: 7 })
    expect(parsePinTrackerConfig({ pin_timeout: '30s', pin_recover_interval: '0s' })).toMatchObject({ pin_timeout: 30_000, pin_recover_interval: 0 })
  })
  it('rejects bad values naming the key path', () => {
    expect(() => parsePinTrackerConfig({ concurrent_pins: 0 })).toThrow(InvalidConfigError)
    expect(() => parsePinTrackerConfig({ concurrent_pins: 0 })).toThrow(/pin_tracker\.stateless\.concurrent_pins must be an integer > 0, got 0/)
    expect(() => parsePinTrackerConfig({ max_pin_queue_size: 'lots' })).toThrow(/pin_tracker\.stateless\.max_pin_queue_size/)
    expect(() => parsePinTrackerConfig({ priority_pin_max_age: 'soon' })).toThrow(/pin_tracker\.stateless\.priority_pin_max_age must be a duration/)
    expect(() => parsePinTrackerConfig({ pin_timeout: '0s' })).toThrow(/pin_tracker\.stateless\.pin_timeout must be a duration > 0/)
    expect(() => parsePinTrackerConfig({ retry_backoff_min: '10m', retry_backoff_max: '1m' })).toThrow(/retry_backoff_min must not be larger/)
    expect(() => parsePinTrackerConfig('x')).toThrow(/pin_tracker\.stateless must be an object/)
  })
})

describe('tracking', () => {
  it('pins what is allocated here and reports pinned; remote pins are not pinned', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const mine = await cidOf('mine')
    const theirs = await cidOf('theirs')
    await pinset.put(pinOf(mine, { allocations: [SELF, OTHER], rmin: 2, rmax: 2 }))
    await pinset.put(pinOf(theirs, { allocations: [OTHER] }))
    await waitFor(async () => (await statusOf(tracker, mine)) === 'pinned', { message: 'mine pinned' })
    expect(await statusOf(tracker, theirs)).toBe('remote')
    expect(ipfs.calls).toEqual([`pin ${mine}`])
    const info = await tracker.status(mine)
    expect(info).toMatchObject({ peer: SELF, peername: 'self', error: '', ipfs_peer_id: '12D3KooWIpfs' })
  })

  it('pins everything with replication -1', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const cid = await cidOf('everywhere')
    await pinset.put(pinOf(cid, { allocations: [], rmin: -1, rmax: -1 }))
    await waitFor(async () => (await statusOf(tracker, cid)) === 'pinned', { message: 'pinned' })
    expect(ipfs.pinned.get(cid)).toBe('recursive')
  })

  it('a direct pin is pinned direct; a recursive pin held only directly is unexpectedly_unpinned', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const cid = await cidOf('direct')
    await pinset.put(pinOf(cid, { depth: 0 }))
    await waitFor(async () => (await statusOf(tracker, cid)) === 'pinned', { message: 'pinned' })
    expect(ipfs.pinned.get(cid)).toBe('direct')
    const rec = await cidOf('rec')
    ipfs.pinned.set(rec, 'direct')
    pinset.pins.set(rec, pinOf(rec)) // in state without an event: as after a restart
    expect(await tracker.status(rec)).toMatchObject({ status: 'unexpectedly_unpinned', error: 'the item should be pinned but it is not' })
  })

  it('shows pin_queued then pinning then pinned', async () => {
    const { pinset, ipfs, tracker } = await setup({ concurrent_pins: 1 })
    const release = ipfs.holdPins()
    const a = await cidOf('a')
    const b = await cidOf('b')
    await pinset.put(pinOf(a))
    await pinset.put(pinOf(b))
    expect(await statusOf(tracker, a)).toBe('pinning')
    expect(await tracker.status(b)).toMatchObject({ status: 'pin_queued', priority_pin: true, attempt_count: 0 })
    expect(tracker.pinQueueSize()).toBe(1)
    release()
    await waitFor(async () => (await statusOf(tracker, b)) === 'pinned', { message: 'b pinned' })
    expect(tracker.pinQueueSize()).toBe(0)
  })

  it('unpins what leaves the pinset (unpin_queued/unpinning/unpinned) and releases de-allocated pins', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const a = await cidOf('a')
    const b = await cidOf('b')
    await pinset.put(pinOf(a))
    await pinset.put(pinOf(b))
    await waitFor(async () => ipfs.pinned.size === 2, { message: 'both pinned' })
    await pinset.remove(a)
    await waitFor(async () => (await statusOf(tracker, a)) === 'unpinned', { message: 'a unpinned' })
    expect(ipfs.pinned.has(a)).toBe(false)
    await pinset.put({ ...pinOf(b), allocations: [OTHER] })
    await waitFor(async () => !ipfs.pinned.has(b), { message: 'b released' })
    expect(await statusOf(tracker, b)).toBe('remote')
  })

  it('unpin_error keeps the message and recover retries it', async () => {
    const { pinset, ipfs, tracker } = await setup({ retry_backoff_min: 60_000, retry_backoff_max: 60_000 })
    const a = await cidOf('a')
    await pinset.put(pinOf(a))
    await waitFor(async () => ipfs.pinned.has(a), { message: 'pinned' })
    ipfs.failUnpin = 'disk on fire'
    await pinset.remove(a)
    await waitFor(async () => (await statusOf(tracker, a)) === 'unpin_error', { message: 'unpin_error' })
    expect(await tracker.status(a)).toMatchObject({ error: 'disk on fire', attempt_count: 1 })
    ipfs.failUnpin = undefined
    await tracker.recover(a)
    await waitFor(async () => (await statusOf(tracker, a)) === 'unpinned', { message: 'unpinned after recover' })
    expect(ipfs.pinned.has(a)).toBe(false)
  })

  it('reports cluster_error when the state or IPFS cannot be read, sharded for meta pins', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const a = await cidOf('a')
    pinset.pins.set(a, pinOf(a))
    ipfs.failLs = 'ipfs down'
    expect(await tracker.status(a)).toMatchObject({ status: 'cluster_error', error: 'ipfs down' })
    pinset.failGet = new Error('state unavailable')
    expect(await tracker.status(a)).toMatchObject({ status: 'cluster_error', error: 'state unavailable' })
    pinset.failGet = undefined
    const m = await cidOf('meta')
    pinset.pins.set(m, { ...pinOf(m), type: 'meta-pin' })
    expect(await statusOf(tracker, m)).toBe('sharded')
    expect(await statusOf(tracker, await cidOf('unknown'))).toBe('unpinned')
  })
})

describe('queues, retries, priority', () => {
  it('never runs more than concurrent_pins pins at once', async () => {
    const { pinset, ipfs } = await setup({ concurrent_pins: 3 })
    const release = ipfs.holdPins()
    for (let i = 0; i < 20; i++) await pinset.put(pinOf(await cidOf(`p${i}`)))
    await waitFor(() => ipfs.inFlightPins === 3, { message: '3 in flight' })
    release()
    await waitFor(() => ipfs.pinned.size === 20, { message: 'all pinned' })
    expect(ipfs.maxInFlightPins).toBe(3)
  })

  it('fresh pins go before old or repeatedly failing ones', async () => {
    const { pinset, ipfs, tracker } = await setup({ concurrent_pins: 1, priority_pin_max_age: 60_000 })
    const release = ipfs.holdPins()
    const blocker = await cidOf('blocker')
    await pinset.put(pinOf(blocker))
    await waitFor(() => ipfs.inFlightPins === 1, { message: 'worker busy' })
    const old = await cidOf('old')
    const fresh = await cidOf('fresh')
    await pinset.put(pinOf(old, { timestamp: Date.now() - 120_000 }))
    await pinset.put(pinOf(fresh))
    expect((await tracker.status(old)).priority_pin).toBe(false)
    expect((await tracker.status(fresh)).priority_pin).toBe(true)
    release()
    await waitFor(() => ipfs.pinned.size === 3, { message: 'all pinned' })
    expect(ipfs.calls).toEqual([`pin ${blocker}`, `pin ${fresh}`, `pin ${old}`])
  })

  it('retries a failing pin with backoff, counts attempts, and deprioritises it after priority_pin_max_retries', async () => {
    const { pinset, ipfs, tracker } = await setup({ priority_pin_max_retries: 2, retry_backoff_min: 20, retry_backoff_max: 40 })
    const bad = await cidOf('bad')
    ipfs.failPin.set(bad, 'block not found')
    await pinset.put(pinOf(bad))
    await waitFor(async () => (await tracker.status(bad)).attempt_count >= 4, { message: '4 attempts' })
    const info = await tracker.status(bad)
    expect(['pin_error', 'pin_queued', 'pinning']).toContain(info.status)
    expect(info.priority_pin).toBe(false)
    await waitFor(async () => (await tracker.status(bad)).status === 'pin_error', { message: 'pin_error' })
    expect((await tracker.status(bad)).error).toBe('block not found')
    ipfs.failPin.delete(bad)
    await waitFor(async () => (await statusOf(tracker, bad)) === 'pinned', { message: 'pinned after the fault is gone' })
  })

  it('a full queue turns the pin into pin_error with upstream text', async () => {
    const { pinset, ipfs, tracker } = await setup({ concurrent_pins: 1, max_pin_queue_size: 2, retry_backoff_min: 60_000, retry_backoff_max: 60_000 })
    const release = ipfs.holdPins()
    const cids = await Promise.all([0, 1, 2, 3].map((i) => cidOf(`q${i}`)))
    for (const c of cids) await pinset.put(pinOf(c))
    // one running, two queued, the fourth does not fit
    expect(await tracker.status(cids[3] as string)).toMatchObject({
      status: 'pin_error',
      error: 'pin/unpin operation queue is full. Try increasing max_pin_queue_size',
    })
    release()
    await waitFor(async () => ipfs.pinned.size === 3, { message: 'three pinned' })
    await tracker.recover(cids[3] as string)
    await waitFor(async () => ipfs.pinned.size === 4, { message: 'fourth pinned after recover' })
  })

  it('a pin with no progress for pin_timeout fails with a timeout error', async () => {
    const { pinset, ipfs, tracker } = await setup({ pin_timeout: 100, retry_backoff_min: 60_000, retry_backoff_max: 60_000 })
    ipfs.hang = true
    const cid = await cidOf('slow')
    await pinset.put(pinOf(cid))
    await waitFor(async () => (await statusOf(tracker, cid)) === 'pin_error', { message: 'pin_error' })
    expect((await tracker.status(cid)).error).toBe('ipfs pin timed out: no progress for 100ms')
  })
})

describe('status of all, recover, reconcile, expiry', () => {
  it('statusAll streams every pin with bounded IPFS lookups and filters', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const n = 500
    for (let i = 0; i < n; i++) {
      const cid = await cidOf(`s${i}`)
      pinset.pins.set(cid, pinOf(cid, i % 5 === 0 ? { allocations: [OTHER] } : {}))
      if (i % 2 === 0 && i % 5 !== 0) ipfs.pinned.set(cid, 'recursive')
    }
    const counts: Record<string, number> = {}
    for await (const info of tracker.statusAll(0)) counts[info.status] = (counts[info.status] ?? 0) + 1
    expect(counts).toEqual({ remote: 100, pinned: 200, unexpectedly_unpinned: 200 })
    expect(ipfs.maxInFlightLs).toBeLessThanOrEqual(32)
    expect(ipfs.maxInFlightLs).toBeGreaterThan(1)
    let remote = 0
    for await (const info of tracker.statusAll(parseStatusFilter('remote'))) {
      expect(info.status).toBe('remote')
      remote++
    }
    expect(remote).toBe(100)
  })

  it('statusAll with an operation-only filter lists the operation table', async () => {
    const { pinset, ipfs, tracker } = await setup({ concurrent_pins: 1 })
    const release = ipfs.holdPins()
    for (let i = 0; i < 4; i++) await pinset.put(pinOf(await cidOf(`o${i}`)))
    const queued = []
    for await (const info of tracker.statusAll(parseStatusFilter('queued'))) queued.push(info.status)
    expect(queued).toEqual(['pin_queued', 'pin_queued', 'pin_queued'])
    release()
  })

  it('recoverAll re-queues unexpectedly unpinned pins and returns only those', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const a = await cidOf('a')
    const b = await cidOf('b')
    await pinset.put(pinOf(a))
    await pinset.put(pinOf(b))
    await waitFor(async () => (await statusOf(tracker, a)) === 'pinned' && (await statusOf(tracker, b)) === 'pinned', { message: 'pinned' })
    ipfs.pinned.delete(a) // lost from IPFS behind our back
    expect(await statusOf(tracker, a)).toBe('unexpectedly_unpinned')
    const recovered = []
    for await (const info of tracker.recoverAll()) recovered.push(info.cid)
    expect(recovered).toEqual([a])
    await waitFor(async () => (await statusOf(tracker, a)) === 'pinned', { message: 'a pinned again' })
  })

  it('on start, pins what is allocated here but missing from IPFS', async () => {
    const pinset = new MemoryPinset()
    const ipfs = new FakeIpfs()
    const a = await cidOf('a')
    const b = await cidOf('b')
    pinset.pins.set(a, pinOf(a))
    pinset.pins.set(b, pinOf(b, { allocations: [OTHER] }))
    tracker = createPinTracker({ pin_recover_interval: 0 }, { ipfs, pinset, peerId: SELF, peername: 'self', logger })
    await tracker.start()
    await waitFor(() => ipfs.pinned.has(a), { message: 'a pinned at start' })
    expect(ipfs.pinned.has(b)).toBe(false)
  })

  it('expired pins are removed from the pinset through the expire hook', async () => {
    const expired: string[] = []
    const { pinset, ipfs } = await setup(
      {},
      {
        expire: async (pin) => {
          expired.push(pin.cid)
          await pinset.remove(pin.cid)
        },
      },
    )
    const cid = await cidOf('short-lived')
    const keep = await cidOf('keep')
    await pinset.put(pinOf(cid, { expireAt: Date.now() + 300 }))
    await pinset.put(pinOf(keep, { expireAt: Date.now() + 3_600_000 }))
    await waitFor(() => ipfs.pinned.has(cid), { message: 'pinned first' })
    await waitFor(() => !pinset.pins.has(cid) && !ipfs.pinned.has(cid), { message: 'expired pin removed and unpinned' })
    expect(expired).toEqual([cid])
    expect(pinset.pins.has(keep)).toBe(true)
  })

  it('without a hook, the tracker removes expired pins itself', async () => {
    const { pinset } = await setup()
    const cid = await cidOf('short')
    await pinset.put(pinOf(cid, { expireAt: Date.now() + 200 }))
    await waitFor(() => !pinset.pins.has(cid), { message: 'expired pin removed' })
  })
})
