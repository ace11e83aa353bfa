import type { Metric, Pin } from '@pinmesh/interface'
import { defaultPinOptions, InvalidConfigError, NotEnoughPeersError, newPin } from '@pinmesh/interface'
import { describe, expect, it } from 'vitest'
import { balancedOrder, classifyMetrics, createBalancedAllocator, DEFAULT_ALLOCATE_BY, parseBalancedAllocatorConfig } from '../src/index.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const FAR = 10n ** 30n

function metric(name: string, peer: string, value: string | number, extra: Partial<Metric> = {}): Metric {
  const partitionable = name.startsWith('tag:')
  return {
    name,
    peer,
    value: String(value),
    expire: FAR,
    valid: true,
    weight: partitionable ? 0 : typeof value === 'number' ? value : 0,
    partitionable,
    received_at: 0n,
    ...extra,
  }
}

/** A fake monitor: latest metrics by name. */
function metricsOf(list: Metric[]): (name: string) => Metric[] {
  return (name) => list.filter((m) => m.name === name)
}

function pinWith(allocations: string[] = [], rmin = 2, rmax = 3): Pin {
  const p = newPin(CID, { ...defaultPinOptions(), replication_factor_min: rmin, replication_factor_max: rmax })
  p.allocations = allocations
  return p
}

function freeSpace(peers: Record<string, number>): Metric[] {
  return Object.entries(peers).map(([peer, free]) => metric('freespace', peer, free))
}

describe('allocator.balanced config', () => {
  it('defaults when the section or key is absent', () => {
    expect(parseBalancedAllocatorConfig(undefined).allocate_by).toEqual([...DEFAULT_ALLOCATE_BY])
    expect(parseBalancedAllocatorConfig({}).allocate_by).toEqual(['tag:group', 'pinqueue', 'freespace'])
  })
  it('accepts upstream config files', () => {
    expect(parseBalancedAllocatorConfig({ allocate_by: ['tag:group', 'freespace'] }).allocate_by).toEqual(['tag:group', 'freespace'])
  })
  it('rejects bad values naming the key path', () => {
    expect(() => parseBalancedAllocatorConfig({ allocate_by: [] })).toThrow(new InvalidConfigError('allocator.balanced.allocate_by', 'must not be empty'))
    expect(() => parseBalancedAllocatorConfig({ allocate_by: 'freespace' })).toThrow(/allocator\.balanced\.allocate_by must be an array/)
    expect(() => parseBalancedAllocatorConfig({ allocate_by: ['freespace', 3] })).toThrow(
      /allocator\.balanced\.allocate_by\[1\] must be a non-empty metric name/,
    )
    expect(() => parseBalancedAllocatorConfig({ allocate_by: ['tag:'] })).toThrow(/allocate_by\[0\] must name the tag/)
    expect(() => parseBalancedAllocatorConfig({ allocate_by: ['freespace', 'freespace'] })).toThrow(/allocate_by\[1\] repeats "freespace"/)
    expect(() => parseBalancedAllocatorConfig([])).toThrow(/allocator\.balanced must be an object/)
  })
})

describe('classifyMetrics', () => {
  const by = ['tag:group', 'freespace']
  const all = [
    ...['A', 'B', 'C', 'D', 'E'].map((p) => metric('tag:group', p, 'default')),
    ...freeSpace({ A: 10, B: 20, C: 30, D: 40, E: 50 }),
    metric('tag:group', 'F', 'default'), // F has no freespace metric
    metric('freespace', 'G', 99), // G has no tag
  ]

  it('puts each peer in one bucket, first rule wins', () => {
    const out = classifyMetrics(by, metricsOf(all), { current: ['A', 'B'], priority: ['B', 'C'], blacklist: ['D'] })
    expect([...out.current.keys()].sort()).toEqual(['A', 'B'])
    expect([...out.priority.keys()]).toEqual(['C'])
    expect([...out.candidates.keys()]).toEqual(['E'])
    expect(out.current.get('A')?.map((m) => m.name)).toEqual(by)
  })

  it('drops peers missing any allocate_by metric, or with duplicates, or invalid ones', () => {
    const dup = [...all, metric('freespace', 'E', 51)]
    const invalid = all.map((m) => (m.peer === 'C' && m.name === 'freespace' ? { ...m, valid: false } : m))
    expect([...classifyMetrics(by, metricsOf(all)).candidates.keys()].sort()).toEqual(['A', 'B', 'C', 'D', 'E'])
    expect(classifyMetrics(by, metricsOf(dup)).candidates.has('E')).toBe(false)
    expect(classifyMetrics(by, metricsOf(invalid)).candidates.has('C')).toBe(false)
  })

  it('applies the accept policy (e.g. pin_only_on_trusted_peers)', () => {
    const out = classifyMetrics(by, metricsOf(all), { accept: (p) => p !== 'A' && p !== 'B', current: ['A'] })
    expect(out.current.size).toBe(0)
    expect([...out.candidates.keys()].sort()).toEqual(['C', 'D', 'E'])
  })

  it('a dead current peer (metrics expired, so absent from latest) is not a valid current peer', () => {
    const live = all.filter((m) => m.peer !== 'A')
    const out = classifyMetrics(by, metricsOf(live), { current: ['A', 'B'] })
    expect([...out.current.keys()]).toEqual(['B'])
  })
})

describe('balanced ordering', () => {
  it('orders by free space, most first', () => {
    const m = new Map([['freespace', freeSpace({ A: 10, B: 30, C: 20 })]])
    expect(balancedOrder(m, ['freespace'])).toEqual(['B', 'C', 'A'])
  })

  it('breaks ties deterministically (value, then peer ID)', () => {
    const m = new Map([['freespace', freeSpace({ C: 10, A: 10, B: 10 })]])
    expect(balancedOrder(m, ['freespace'])).toEqual(['A', 'B', 'C'])
    const shuffled = new Map([['freespace', freeSpace({ B: 10, C: 10, A: 10 })]])
    expect(balancedOrder(shuffled, ['freespace'])).toEqual(['A', 'B', 'C'])
  })

  it('alternates between tag partitions, the group with more free space first', () => {
    const metrics = new Map([
      ['tag:region', [metric('tag:region', 'A', 'eu'), metric('tag:region', 'B', 'eu'), metric('tag:region', 'C', 'us'), metric('tag:region', 'D', 'us')]],
      ['freespace', freeSpace({ A: 100, B: 90, C: 50, D: 60 })],
    ])
    // eu has 190 in total, us 110: eu first; inside each region, most free space first.
    expect(balancedOrder(metrics, ['tag:region', 'freespace'])).toEqual(['A', 'D', 'B', 'C'])
  })

  it('spreads over three regions before doubling up', () => {
    const tags = { A: 'eu', B: 'eu', C: 'us', D: 'asia', E: 'asia' }
    const metrics = new Map([
      ['tag:region', Object.entries(tags).map(([p, r]) => metric('tag:region', p, r))],
      ['freespace', freeSpace({ A: 1, B: 2, C: 3, D: 4, E: 5 })],
    ])
    const order = balancedOrder(metrics, ['tag:region', 'freespace'])
    expect(new Set(order.slice(0, 3).map((p) => tags[p as keyof typeof tags]))).toEqual(new Set(['eu', 'us', 'asia']))
    expect(order).toHaveLength(5)
  })

  it('prefers a short pin queue over free space, with free space breaking ties inside a bucket', () => {
    const pinqueue = (peer: string, queued: number) => metric('pinqueue', peer, queued, { weight: -Math.floor(queued / 100) })
    const metrics = new Map([
      ['pinqueue', [pinqueue('A', 250), pinqueue('B', 10), pinqueue('C', 20)]],
      ['freespace', freeSpace({ A: 1000, B: 10, C: 20 })],
    ])
    // A has most space but its queue is in a worse bucket; B and C share bucket 0, C has more space.
    expect(balancedOrder(metrics, ['pinqueue', 'freespace'])).toEqual(['C', 'B', 'A'])
  })

  it('nested tags: group then region then free space', () => {
    const metrics = new Map([
      ['tag:group', ['A', 'B', 'C', 'D'].map((p) => metric('tag:group', p, 'default'))],
      ['tag:region', [metric('tag:region', 'A', 'eu'), metric('tag:region', 'B', 'eu'), metric('tag:region', 'C', 'us'), metric('tag:region', 'D', 'us')]],
      ['freespace', freeSpace({ A: 5, B: 6, C: 7, D: 8 })],
    ])
    expect(balancedOrder(metrics, ['tag:group', 'tag:region', 'freespace'])).toEqual(['D', 'B', 'C', 'A'])
  })
})

describe('balanced allocator decision', () => {
  const allocator = createBalancedAllocator({ allocate_by: ['tag:group', 'freespace'] })
  function peers(free: Record<string, number>) {
    return [...Object.keys(free).map((p) => metric('tag:group', p, 'default')), ...freeSpace(free)]
  }
  function allocate(pin: Pin, metrics: Metric[], options: { priority?: string[]; blacklist?: string[] } = {}) {
    const classified = classifyMetrics(allocator.allocateBy, metricsOf(metrics), { current: pin.allocations, ...options })
    return allocator.allocate(pin, { ...classified, replicationMin: pin.replication_factor_min, replicationMax: pin.replication_factor_max })
  }

  it('-1/-1 means everywhere: no allocations', () => {
    expect(allocate(pinWith([], -1, -1), peers({ A: 1 }))).toEqual([])
  })

  it('rejects 0/0 factors', () => {
    expect(() => allocate(pinWith([], 0, 0), peers({ A: 1 }))).toThrow('bad replication factors: 0/0')
  })

  it('a fresh pin gets max peers when available, most free space first', () => {
    expect(allocate(pinWith([], 2, 3), peers({ A: 1, B: 5, C: 3, D: 4, E: 2 }))).toEqual(['B', 'D', 'C'])
  })

  it('a fresh pin gets what is available between min and max', () => {
    expect(allocate(pinWith([], 2, 3), peers({ A: 1, B: 5 }))).toEqual(['B', 'A'])
  })

  it('fewer peers than min → NotEnoughPeersError naming needed, wanted and available', () => {
    const err = (() => {
      try {
        allocate(pinWith([], 2, 3), peers({ A: 1 }))
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(NotEnoughPeersError)
    expect((err as Error).message).toBe(
      'not enough peers to allocate CID. Needed at least: 2. Wanted at most: 3. Available candidates: 1. See logs for more info.',
    )
  })

  it('user_allocations come first, even with less free space', () => {
    expect(allocate(pinWith([], 2, 2), peers({ A: 1, B: 5, C: 3 }), { priority: ['A'] })).toEqual(['A', 'B'])
    expect(allocate(pinWith([], 3, 3), peers({ A: 1, B: 5, C: 3, D: 0 }), { priority: ['D', 'A'] })).toEqual(['A', 'D', 'B'])
  })

  it('keeps the existing allocations unchanged while at least min of them are healthy', () => {
    // C is dead (no metrics) but A and B still satisfy min=2: nothing moves.
    expect(allocate(pinWith(['A', 'B', 'C'], 2, 3), peers({ A: 1, B: 1, D: 100, E: 100 }))).toEqual(['A', 'B', 'C'])
  })

  it('re-allocation keeps healthy current peers and adds only what is missing', () => {
    // B died (blacklisted, as on a peer-down alert): A stays, one new peer joins, the biggest.
    expect(allocate(pinWith(['A', 'B'], 2, 2), peers({ A: 1, B: 50, C: 3, D: 9 }), { blacklist: ['B'] })).toEqual(['A', 'D'])
    // rmin 2 rmax 3, only A healthy: A kept, up to two more.
    expect(allocate(pinWith(['A', 'B'], 2, 3), peers({ A: 1, C: 3, D: 9, E: 4 }), { blacklist: ['B'] })).toEqual(['A', 'D', 'E'])
  })

  it('over-replicated → the first max valid current peers', () => {
    expect(allocate(pinWith(['A', 'B', 'C'], 1, 2), peers({ A: 1, B: 2, C: 3 }))).toEqual(['A', 'B'])
  })

  it('needs only what is missing when some current peers are dead', () => {
    const err = (() => {
      try {
        allocate(pinWith(['A', 'B', 'C'], 3, 3), peers({ A: 1 }), { blacklist: ['B'] })
      } catch (e) {
        return e as NotEnoughPeersError
      }
    })()
    expect(err).toBeInstanceOf(NotEnoughPeersError)
    expect([err?.needed, err?.wanted, err?.available]).toEqual([2, 2, 0])
  })

  it('region tags: factor 2 lands in two different regions', () => {
    const a = createBalancedAllocator({ allocate_by: ['tag:region', 'freespace'] })
    const region = { A: 'eu', B: 'eu', C: 'us' }
    const metrics = [...Object.entries(region).map(([p, r]) => metric('tag:region', p, r)), ...freeSpace({ A: 100, B: 90, C: 10 })]
    const classified = classifyMetrics(a.allocateBy, metricsOf(metrics))
    const out = a.allocate(pinWith([], 2, 2), { ...classified, replicationMin: 2, replicationMax: 2 })
    expect(out).toEqual(['A', 'C'])
  })

  it('is deterministic: the same metrics in another order give the same allocations', () => {
    const m = peers({ A: 5, B: 5, C: 5, D: 5 })
    const x = allocate(pinWith([], 2, 2), m)
    const y = allocate(pinWith([], 2, 2), [...m].reverse())
    expect(x).toEqual(y)
    expect(x).toEqual(['A', 'B'])
  })
})
