/**
 * One benchmark peer in its own process: a libp2p host on loopback with gossipsub and a
 * pinset. Reads JSON commands on stdin, prints JSON events on stdout (see cluster.ts).
 */
import { createInterface } from 'node:readline'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createPinset } from '../src/index.js'
import { logger, pinFor } from './util.js'

const opts = JSON.parse(process.argv[2] as string) as { dir: string; cluster: string; batchAge: number; shards?: number }
const host = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
})
const loadStart = performance.now()
const pinset = await createPinset(
  {
    path: opts.dir,
    shards: opts.shards ?? 64,
    cluster_name: opts.cluster,
    digest_interval: 1000,
    batching: { max_batch_size: 5000, max_batch_age: opts.batchAge, max_queue_size: 200_000 },
  },
  { libp2p: host, logger },
)
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`)
emit({ event: 'ready', id: host.peerId.toString(), addrs: host.getMultiaddrs().map(String), loadMs: performance.now() - loadStart, size: await pinset.size() })

const latencies: number[] = []
let latencyWanted = 0
pinset.addEventListener('change', (e) => {
  if (e.detail.type === 'removed' || !e.detail.pin.name.startsWith('lat:')) return
  latencies.push(performance.timeOrigin + performance.now() - Number(e.detail.pin.name.slice(4)))
  if (latencies.length === latencyWanted) emit({ event: 'latencies', values: latencies })
})

async function poll(check: () => Promise<boolean>, every: number): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, every))
}

// Diagnostics: `kill -USR2 <pid>` prints counters and whether the storage queue answers.
process.on('SIGUSR2', () => {
  const store = pinset.internals.pinset.store as unknown as { transact(fn: () => Promise<boolean>): Promise<boolean | null> }
  const probe = Promise.race([store.transact(async () => true), new Promise((r) => setTimeout(() => r('timeout'), 2000))])
  void probe.then(async (storage) =>
    emit({
      event: 'diag',
      size: await pinset.size(),
      stats: pinset.stats(),
      pulling: [...((pinset.internals.sync as unknown as { pulling: Map<string, unknown> }).pulling?.keys() ?? [])],
      storage,
      peers: host.getPeers().map(String),
      subscribers: host.services.pubsub.getSubscribers(pinset.internals.gossip?.topic ?? '').map(String),
    }),
  )
})

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as Record<string, unknown> & { cmd: string }
  if (cmd.cmd === 'dial') {
    // Tagged keep-alive: libp2p redials these peers when a connection drops (under heavy load
    // pings time out and connections close; in the daemon, core's peer connector does this).
    for (const a of cmd.addrs as string[]) {
      const conn = await host.dial(multiaddr(a))
      await host.peerStore.merge(conn.remotePeer, { tags: { 'keep-alive': { value: 1 } } })
    }
    emit({ event: 'dialed' })
  } else if (cmd.cmd === 'subscribers') {
    const topic = pinset.internals.gossip?.topic ?? ''
    await poll(async () => host.services.pubsub.getSubscribers(topic).length >= (cmd.n as number), 50)
    emit({ event: 'subscribers' })
  } else if (cmd.cmd === 'write') {
    const t0 = Date.now()
    const count = cmd.count as number
    const window = 50_000 // writes in flight: the default max_queue_size
    for (let at = 0; at < count; at += window) {
      const writes: Promise<void>[] = []
      for (let i = at; i < Math.min(count, at + window); i++) writes.push(pinset.put(pinFor(i)))
      await Promise.all(writes)
    }
    emit({ event: 'written', t0, t1: Date.now() })
  } else if (cmd.cmd === 'expect') {
    await poll(async () => (await pinset.size()) >= (cmd.count as number), 20)
    emit({ event: 'reached', t: Date.now() })
  } else if (cmd.cmd === 'trickle') {
    for (let i = 0; i < (cmd.count as number); i++) {
      await new Promise((r) => setTimeout(r, cmd.interval as number))
      void pinset.put({ ...pinFor(i + ((cmd.from as number | undefined) ?? 0), 'lat'), name: `lat:${performance.timeOrigin + performance.now()}` })
    }
    emit({ event: 'trickled' })
  } else if (cmd.cmd === 'latencies') {
    latencies.length = 0
    latencyWanted = cmd.count as number
    if (latencies.length >= latencyWanted) emit({ event: 'latencies', values: latencies })
  } else if (cmd.cmd === 'digest') {
    emit({ event: 'digest', digest: await pinset.digest(), size: await pinset.size() })
  } else if (cmd.cmd === 'waitDigest') {
    // Cheap check first: the digest re-hashes every changed shard.
    await poll(async () => (await pinset.size()) >= (cmd.size as number) && (await pinset.digest()) === cmd.digest, 50)
    emit({ event: 'digestReached', t: Date.now(), size: await pinset.size(), heap: process.memoryUsage().heapUsed })
  } else if (cmd.cmd === 'traffic') {
    // Where the bytes went: gossip vs sync pulls (prom-client counters of this process).
    const { register } = await import('prom-client')
    const values: Record<string, number> = {}
    for (const name of [
      'pinmesh_pinset_gossip_sent_bytes_total',
      'pinmesh_pinset_gossip_received_bytes_total',
      'pinmesh_pinset_sync_bytes_total',
      'pinmesh_pinset_sync_sessions_total',
      'pinmesh_pinset_remote_updates_total',
    ]) {
      const metric = (await register.getSingleMetric(name)?.get()) as { values: Array<{ value: number; labels: Record<string, string> }> } | undefined
      for (const v of metric?.values ?? []) values[[name.replace('pinmesh_pinset_', ''), ...Object.values(v.labels)].join(':')] = v.value
    }
    emit({ event: 'traffic', values })
  } else if (cmd.cmd === 'stop') {
    await pinset.close()
    await host.stop()
    emit({ event: 'stopped' })
    process.exit(0)
  }
}
