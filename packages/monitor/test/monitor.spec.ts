/**
 * The pubsub monitor over an in-memory pubsub bus (a unit test of the code around gossipsub;
 * the system tests run it on real gossipsub): metrics travel between monitors, only from the
 * peer they describe, expire, and raise one alert per expiry.
 */
import type { Alert, Metric } from '@pinmesh/interface'
import { stringifyJson } from '@pinmesh/interface'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createPingInformer,
  createPubsubMonitor,
  type MetricsPubSub,
  msToNs,
  nowNs,
  type PubSubMessage,
  type PubsubMonitor,
  parsePingValue,
} from '../src/index.js'

class Bus {
  readonly members = new Map<string, Set<(evt: CustomEvent<PubSubMessage>) => void>>()
  endpoint(peer: string): MetricsPubSub {
    const listeners = new Set<(evt: CustomEvent<PubSubMessage>) => void>()
    this.members.set(peer, listeners)
    return {
      subscribe: () => {},
      unsubscribe: () => {},
      publish: async (topic, data) => {
        for (const [other, ls] of this.members) {
          if (other === peer) continue
          for (const l of ls) l(new CustomEvent('message', { detail: { type: 'signed', topic, data, from: { toString: () => peer } } }))
        }
      },
      addEventListener: (_t, l) => listeners.add(l),
      removeEventListener: (_t, l) => listeners.delete(l),
    }
  }
  inject(from: string, to: string, topic: string, data: Uint8Array): void {
    for (const l of this.members.get(to) ?? []) l(new CustomEvent('message', { detail: { type: 'signed', topic, data, from: { toString: () => from } } }))
  }
}

const logger = pino({ level: 'silent' })
const monitors: PubsubMonitor[] = []
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.stop()))
})

function metric(peer: string, ttlMs: number, name = 'ping'): Metric {
  return { name, peer, value: '{}', expire: nowNs() + msToNs(ttlMs), valid: true, weight: 0, partitionable: false, received_at: 0n }
}

async function pair(bus: Bus) {
  const a = createPubsubMonitor({ check_interval: 60_000, cluster_name: 'c' }, { pubsub: bus.endpoint('A'), peerId: 'A', logger })
  const b = createPubsubMonitor({ check_interval: 60_000, cluster_name: 'c' }, { pubsub: bus.endpoint('B'), peerId: 'B', logger })
  monitors.push(a, b)
  await a.start()
  await b.start()
  return { a, b }
}

describe('PubsubMonitor', () => {
  it('delivers published metrics to other peers and keeps the latest per peer', async () => {
    const bus = new Bus()
    const { a, b } = await pair(bus)
    await a.publish(metric('A', 10_000))
    await b.publish(metric('B', 10_000))
    expect(b.latestMetrics('ping').map((m) => m.peer)).toEqual(['A', 'B'])
    expect(a.latestMetrics('ping').map((m) => m.peer)).toEqual(['A', 'B'])
    expect(a.metricNames()).toEqual(['ping'])
    expect(b.latestMetrics('ping')[0]?.received_at).toBeGreaterThan(0n)
  })

  it('drops metrics about another peer than the sender, and garbage', async () => {
    const bus = new Bus()
    const { b } = await pair(bus)
    const topic = '/pinmesh/c/metrics/1.0.0'
    bus.inject('A', 'B', topic, new TextEncoder().encode(stringifyJson(metric('C', 10_000))))
    bus.inject('A', 'B', topic, new TextEncoder().encode('{not json'))
    bus.inject('A', 'B', topic, new TextEncoder().encode('{"name": 5}'))
    expect(b.latestMetrics('ping').map((m) => m.peer)).toEqual([])
    bus.inject('A', 'B', topic, new TextEncoder().encode(stringifyJson(metric('A', 10_000))))
    expect(b.latestMetrics('ping').map((m) => m.peer)).toEqual(['A'])
  })

  it('forgets expired metrics and alerts once per expiry', async () => {
    const bus = new Bus()
    const { a, b } = await pair(bus)
    const alerts: Alert[] = []
    b.addEventListener('alert', (evt) => alerts.push(evt.detail))
    await a.publish(metric('A', 50))
    expect(b.latestMetrics('ping')).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 80))
    expect(b.latestMetrics('ping')).toHaveLength(0)
    b.check()
    b.check()
    expect(alerts.map((x) => [x.peer, x.name])).toEqual([['A', 'ping']])
    expect(b.alerts()).toHaveLength(1)
    // A fresh metric resets the alert; the next expiry alerts again.
    await a.publish(metric('A', 50))
    await new Promise((r) => setTimeout(r, 80))
    b.check()
    expect(alerts).toHaveLength(2)
    expect((b.alerts()[0]?.triggered_at ?? '') >= (b.alerts()[1]?.triggered_at ?? '')).toBe(true)
  })

  it('ignores removed peers', async () => {
    const bus = new Bus()
    const removed = new Set(['A'])
    const a = createPubsubMonitor({ check_interval: 60_000, cluster_name: 'c' }, { pubsub: bus.endpoint('A'), peerId: 'A', logger })
    const b = createPubsubMonitor(
      { check_interval: 60_000, cluster_name: 'c' },
      { pubsub: bus.endpoint('B'), peerId: 'B', logger, isIgnored: (p) => removed.has(p) },
    )
    monitors.push(a, b)
    await a.start()
    await b.start()
    await a.publish(metric('A', 10_000))
    expect(b.latestMetrics('ping')).toHaveLength(0)
  })

  it('runs informers at start and on their interval; the ping value names the peer', async () => {
    const bus = new Bus()
    const { a, b } = await pair(bus)
    a.addInformer(
      createPingInformer(
        { ttl: 10_000 },
        { peerId: 'A', peername: 'node-a', ipfsId: async () => ({ id: 'QmIpfs', addresses: ['/ip4/127.0.0.1/tcp/4001', '/ip4/203.0.113.5/tcp/4001'] }) },
      ),
      50,
    )
    await new Promise((r) => setTimeout(r, 20))
    const ping = b.latestMetrics('ping')[0] as Metric
    expect(parsePingValue(ping.value)).toEqual({ peer_name: 'node-a', ipfs_id: 'QmIpfs', ipfs_addresses: ['/ip4/203.0.113.5/tcp/4001'] })
    const first = ping.received_at
    await new Promise((r) => setTimeout(r, 120))
    expect((b.latestMetrics('ping')[0] as Metric).received_at).toBeGreaterThan(first)
  })
})
