import { createBalancedAllocator } from '@pinmesh/allocator'
import type { Alert, Metric, Pin } from '@pinmesh/interface'
import { InvalidConfigError, NotEnoughPeersError } from '@pinmesh/interface'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { cidOf, MemoryPinset, pinOf } from '../../pintracker/test/fakes.js'
import { allocatePin } from '../src/allocation.js'
import { isClosest } from '../src/closest.js'
import { createRepinner, parseRepinningConfig, REPINNING_DEFAULTS, type Repinner } from '../src/repinning.js'

const logger = pino({ level: 'silent' })
const FAR = 10n ** 30n
const A = '12D3KooWAaaa'
const B = '12D3KooWBbbb'
const C = '12D3KooWCccc'
const D = '12D3KooWDddd'

/** A monitor view shared by the test "peers": latest metrics per name, and alert events. */
class FakeMonitor {
  private readonly events = new EventTarget()
  readonly metrics = new Map<string, Metric[]>()
  setPeer(peer: string, free: number, region = 'default') {
    this.removePeer(peer)
    const m = (name: string, value: string, weight: number, partitionable = false): Metric => ({
      name,
      peer,
      value,
      expire: FAR,
      valid: true,
      weight,
      partitionable,
      received_at: 0n,
    })
    for (const metric of [m('ping', '{}', 0), m('freespace', String(free), free), m('tag:region', region, 0, true)]) {
      this.metrics.set(metric.name, [...(this.metrics.get(metric.name) ?? []), metric])
    }
  }
  removePeer(peer: string) {
    for (const [name, list] of this.metrics)
      this.metrics.set(
        name,
        list.filter((m) => m.peer !== peer),
      )
  }
  latestMetrics(name: string): Metric[] {
    return this.metrics.get(name) ?? []
  }
  alert(peer: string) {
    const detail: Alert = { name: 'ping', peer, value: '', expire: 0n, valid: true, weight: 0, partitionable: false, received_at: 0n, triggered_at: '' }
    this.events.dispatchEvent(new CustomEvent('alert', { detail }))
  }
  addEventListener(type: 'alert', listener: (event: CustomEvent<Alert>) => void): void {
    this.events.addEventListener(type, listener as (e: Event) => void)
  }
  removeEventListener(type: 'alert', listener: (event: CustomEvent<Alert>) => void): void {
    this.events.removeEventListener(type, listener as (e: Event) => void)
  }
}

const allocator = createBalancedAllocator({ allocate_by: ['freespace'] })
const repinners: Repinner[] = []
afterEach(async () => {
  for (const r of repinners.splice(0)) await r.stop()
})

function repinnerFor(peerId: string, pinset: MemoryPinset, monitor: FakeMonitor, config = {}) {
  const r = createRepinner({ ...REPINNING_DEFAULTS, repin_grace_period: 100, ...config }, { peerId, pinset, monitor, allocator, logger })
  r.start()
  repinners.push(r)
  return r
}

async function waitUntil(fn: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('repinning config', () => {
  it('defaults and keys', () => {
    expect(parseRepinningConfig(undefined)).toEqual(REPINNING_DEFAULTS)
    expect(parseRepinningConfig({ disable_repinning: true, repin_grace_period: '30s', repin_rate: 50 })).toEqual({
      disable_repinning: true,
      repin_grace_period: 30_000,
      repin_rate: 50,
    })
  })
  it('errors name the key', () => {
    expect(() => parseRepinningConfig({ disable_repinning: 'yes' })).toThrow(InvalidConfigError)
    expect(() => parseRepinningConfig({ disable_repinning: 'yes' })).toThrow(/cluster\.disable_repinning must be true or false/)
    expect(() => parseRepinningConfig({ repin_grace_period: 'soon' })).toThrow(/cluster\.repin_grace_period must be a duration/)
    expect(() => parseRepinningConfig({ repin_rate: 0 })).toThrow(/cluster\.repin_rate must be a number of pins per second > 0/)
  })
})

describe('closest peer', () => {
  it('exactly one peer of a set is closest for each CID, and the work spreads', async () => {
    const peers = [A, B, C, D]
    const wins = new Map<string, number>()
    for (let i = 0; i < 200; i++) {
      const cid = await cidOf(`c${i}`)
      const closest = peers.filter((p) => isClosest(p, cid, peers))
      expect(closest).toHaveLength(1)
      wins.set(closest[0] as string, (wins.get(closest[0] as string) ?? 0) + 1)
      // Excluding the winner makes exactly one other peer closest.
      const others = peers.filter((p) => p !== closest[0] && isClosest(p, cid, peers, new Set([closest[0] as string])))
      expect(others).toHaveLength(1)
    }
    expect(wins.size).toBe(4)
  })
})

describe('allocatePin', () => {
  it('allocates from the monitor metrics and names the numbers when short', () => {
    const monitor = new FakeMonitor()
    monitor.setPeer(A, 10)
    monitor.setPeer(B, 30)
    monitor.setPeer(C, 20)
    const metricsOf = (n: string) => monitor.latestMetrics(n)
    const pin = { ...pinOf('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', { rmin: 2, rmax: 2 }), allocations: [] }
    expect(allocatePin({ pin }, { allocator, metricsOf })).toEqual([B, C])
    expect(allocatePin({ pin: { ...pin, replication_factor_min: -1, replication_factor_max: -1 } }, { allocator, metricsOf })).toEqual([])
    expect(() => allocatePin({ pin: { ...pin, replication_factor_min: 4, replication_factor_max: 4 } }, { allocator, metricsOf })).toThrow(NotEnoughPeersError)
  })
})

describe('re-pinning on peer-down alerts', () => {
  async function cluster(nPins: number) {
    const pinset = new MemoryPinset()
    const monitor = new FakeMonitor()
    monitor.setPeer(A, 100)
    monitor.setPeer(B, 100)
    monitor.setPeer(C, 100)
    const pins: Pin[] = []
    for (let i = 0; i < nPins; i++) {
      const cid = await cidOf(`pin${i}`)
      const p = pinOf(cid, { rmin: 2, rmax: 2, allocations: i % 2 === 0 ? [A, C] : [B, C] })
      pinset.pins.set(cid, p)
      pins.push(p)
    }
    return { pinset, monitor, pins }
  }

  it('two peers reacting to the same alert move each pin exactly once, keeping the healthy allocation', async () => {
    const { pinset, monitor, pins } = await cluster(60)
    const puts: string[] = []
    const put = pinset.put.bind(pinset)
    pinset.put = async (pin: Pin) => {
      puts.push(pin.cid)
      await put(pin)
    }
    const ra = repinnerFor(A, pinset, monitor)
    const rb = repinnerFor(B, pinset, monitor)
    monitor.removePeer(C) // C's metrics expired
    monitor.alert(C)
    await waitUntil(() => puts.length === 60)
    await new Promise((r) => setTimeout(r, 200))
    expect(new Set(puts).size).toBe(60)
    expect(puts).toHaveLength(60)
    for (const p of pins) {
      const now = pinset.pins.get(p.cid) as Pin
      expect(now.allocations).toHaveLength(2)
      expect(now.allocations).not.toContain(C)
      expect(new Set(now.allocations)).toEqual(new Set([A, B]))
      // The healthy allocation stays first.
      expect(now.allocations[0]).toBe(p.allocations[0])
    }
    expect(ra).not.toBe(rb)
  })

  it('a peer back within the grace period moves nothing', async () => {
    const { pinset, monitor, pins } = await cluster(10)
    repinnerFor(A, pinset, monitor, { repin_grace_period: 300 })
    monitor.removePeer(C)
    monitor.alert(C)
    await new Promise((r) => setTimeout(r, 100))
    monitor.setPeer(C, 100) // back
    await new Promise((r) => setTimeout(r, 400))
    for (const p of pins) expect((pinset.pins.get(p.cid) as Pin).allocations).toEqual(p.allocations)
  })

  it('disable_repinning moves nothing', async () => {
    const { pinset, monitor, pins } = await cluster(10)
    repinnerFor(A, pinset, monitor, { disable_repinning: true, repin_grace_period: 10 })
    monitor.removePeer(C)
    monitor.alert(C)
    await new Promise((r) => setTimeout(r, 200))
    for (const p of pins) expect((pinset.pins.get(p.cid) as Pin).allocations).toEqual(p.allocations)
  })

  it('moves are rate-limited', async () => {
    const { pinset, monitor } = await cluster(20)
    const r = repinnerFor(A, pinset, monitor, { repin_rate: 100 })
    monitor.removePeer(C)
    const started = Date.now()
    const report = await r.reallocateFrom(C, { closestOnly: false })
    expect(report.moved).toBe(20)
    // 20 writes at 100/s cannot finish in less than 19 intervals of 10 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(180)
  })

  it('pins that cannot be re-allocated stay as they are and are counted', async () => {
    const { pinset, monitor, pins } = await cluster(4)
    const r = repinnerFor(A, pinset, monitor)
    monitor.removePeer(C)
    monitor.removePeer(B) // only A left: rmin 2 cannot be met
    const report = await r.reallocateFrom(C, { closestOnly: false })
    expect(report).toMatchObject({ moved: 0, failed: 4 })
    for (const p of pins) expect((pinset.pins.get(p.cid) as Pin).allocations).toEqual(p.allocations)
  })

  it('keeps allocations when enough healthy peers remain (rmin 1, rmax 2)', async () => {
    const pinset = new MemoryPinset()
    const monitor = new FakeMonitor()
    monitor.setPeer(A, 100)
    monitor.setPeer(B, 100)
    const cid = await cidOf('x')
    pinset.pins.set(cid, pinOf(cid, { rmin: 1, rmax: 2, allocations: [A, C] }))
    const r = repinnerFor(A, pinset, monitor)
    const report = await r.reallocateFrom(C, { closestOnly: false })
    expect(report).toMatchObject({ moved: 0, unchanged: 1 })
  })
})

describe('expire hook', () => {
  it('only the closest live peer removes at once; others remove after the fallback if it is still there', async () => {
    const { createExpireHook } = await import('../src/expiry.js')
    const peers = [A, B, C]
    const cid = await cidOf('expiring')
    const closest = peers.find((p) => isClosest(p, cid, peers)) as string
    const other = peers.find((p) => p !== closest) as string
    const pinset = new MemoryPinset()
    const expired = { ...pinOf(cid), expire_at: new Date(Date.now() - 1000).toISOString() }
    pinset.pins.set(cid, expired)
    const hook = (self: string) => createExpireHook({ fallback: 150 }, { peerId: self, pinset, livePeers: () => peers, logger })
    await hook(other)(expired)
    expect(pinset.pins.has(cid)).toBe(true)
    await hook(closest)(expired)
    expect(pinset.pins.has(cid)).toBe(false)
    // Fallback: the closest peer never acted; the other one removes it later.
    pinset.pins.set(cid, expired)
    await hook(other)(expired)
    expect(pinset.pins.has(cid)).toBe(true)
    await new Promise((r) => setTimeout(r, 300))
    expect(pinset.pins.has(cid)).toBe(false)
  })
})
