/**
 * `pinmesh daemon`: the composition root. Builds the peer from its parts in order (folder lock,
 * config, identity, libp2p host, monitor, membership, pinset, IPFS node, tracker, cluster, RPC,
 * peer connections, APIs) and stops them in reverse order.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createBalancedAllocator, parseBalancedAllocatorConfig } from '@pinmesh/allocator'
import {
  Cluster,
  createExpireHook,
  createHost,
  createPeerConnector,
  createRepinner,
  createRpcClient,
  createRpcServer,
  createTrustPolicy,
  loadOrCreateIdentity,
  Membership,
  parseRepinningConfig,
  RemovedPeers,
  registerMembershipMetrics,
  startIpfsSwarmConnector,
} from '@pinmesh/core'
import { createIpfsProxy, envOverrides, parseMetricsConfig, parsePinSvcApiConfig, parseRestApiConfig, startHttpApis } from '@pinmesh/http-api'
import { InvalidConfigError } from '@pinmesh/interface'
import {
  createDiskInformer,
  createNumPinInformer,
  createPingInformer,
  createPinQueueInformer,
  createPubsubMonitor,
  createTagInformers,
  type MetricsPubSub,
  metricsTopic,
  type NumPinInformerConfig,
  parseDiskInformerConfig,
  parsePinQueueInformerConfig,
  parseTagsInformerConfig,
  type TimedInformer,
} from '@pinmesh/monitor'
import { createPinset, parsePinsetConfig } from '@pinmesh/pinset'
import { createPinTracker, parsePinTrackerConfig } from '@pinmesh/pintracker'
import type { Logger } from 'pino'
import { loadConfig } from './config/load.js'
import { clusterName, trustedPeers } from './config/sections-read.js'
import { createIpfs, ipfsSections, proxyConfig } from './ipfs.js'
import { httpListenAddress } from './listen.js'
import { acquireLock } from './lock.js'
import { recoverStateSwap } from './state/store.js'

export interface DaemonOptions {
  /** The peer's folder. */
  path: string
  logger: Logger
  /** Multiaddresses of running peers to join (`--bootstrap`). */
  bootstrap?: string[]
  /** Do not add bootstrap peers to the trusted peers (`--no-trust`). */
  noTrust?: boolean
}

export interface RunningDaemon {
  stop(): Promise<void>
}

export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const { path } = opts
  for (const [i, addr] of (opts.bootstrap ?? []).entries()) checkBootstrapAddress(addr, i)
  await mkdir(path, { recursive: true })
  const lock = await acquireLock(path)
  try {
    return await buildPeer(opts, lock)
  } catch (err) {
    await lock.release()
    throw err
  }
}

/** A `--bootstrap` value must be a multiaddress ending in `/p2p/<peer id>`. */
function checkBootstrapAddress(addr: string, i: number): void {
  let ok = false
  try {
    ok = multiaddr(addr)
      .getComponents()
      .some((c) => c.name === 'p2p')
  } catch {
    ok = false
  }
  if (!ok) {
    throw new InvalidConfigError(
      `--bootstrap[${i}]`,
      `must be a multiaddress ending in /p2p/<peer id>, such as /ip4/192.0.2.1/tcp/9096/p2p/12D3KooW…, got ${JSON.stringify(addr)}`,
    )
  }
}

async function buildPeer(opts: DaemonOptions, lock: { release(): Promise<void> }): Promise<RunningDaemon> {
  const { path, logger } = opts
  const config = await loadConfig(path, process.env, (line) => logger.info(line))
  const cfg = config.cluster
  const peername = cfg.peername
  const pubsubmon = config.components['monitor.pubsubmon'] as { check_interval: number }

  const identity = await loadOrCreateIdentity(path, process.env)
  const removed = await RemovedPeers.load(join(path, 'removed_peers.json'))
  const libp2p = await createHost(cfg, { privateKey: identity.privateKey, logger, isDenied: (p) => removed.has(p.toString()) })
  const pubsub = libp2p.services.pubsub as unknown as MetricsPubSub
  const monitor = createPubsubMonitor(
    { check_interval: pubsubmon.check_interval, cluster_name: clusterName(config.components) },
    { pubsub, peerId: identity.id, logger, isIgnored: (p) => removed.has(p) },
  )
  const membership = new Membership({ peerId: identity.id, monitor, removed, libp2p, logger })
  registerMembershipMetrics({ peers: () => membership.peers(), connections: () => libp2p.getPeers().length })
  const policy = createTrustPolicy(trustedPeers(config.components), removed)
  const rpc = createRpcClient({ timeout: 15_000 }, { libp2p })

  const crdt = (config.json.consensus as Record<string, unknown> | undefined)?.crdt
  // Finishes a `state import` that was interrupted between its two renames (state/store.ts).
  await recoverStateSwap(path)
  const pinset = await createPinset(parsePinsetConfig(crdt, 'consensus.crdt', join(path, 'pinset')), { libp2p, logger })
  const ipfsSetup = await createIpfs(path, logger, process.env, ipfsSections(config.json))
  const { ipfs } = ipfsSetup
  const proxy = proxyConfig(ipfsSetup, process.env, (config.json.api as Record<string, unknown> | undefined)?.ipfsproxy)
  await ipfsSetup.start()
  // Orchestration (docs/orchestration.md): tracker, allocator, informers, re-pinning.
  /** A parsed component section, or its defaults when the file has none. */
  const section = <T>(key: string, parse: (value: unknown, path: string) => T): T => (config.components[key] as T | undefined) ?? parse(undefined, key)
  const isTrusted = (p: string) => policy.isTrusted(p)
  const expire = createExpireHook(
    { fallback: 4 * cfg.monitor_ping_interval },
    { peerId: identity.id, pinset, livePeers: () => membership.peers(), isTrusted, logger: logger.child({ component: 'expiry' }) },
  )
  const tracker = createPinTracker(
    { ...section('pin_tracker.stateless', parsePinTrackerConfig), pin_recover_interval: cfg.pin_recover_interval },
    { ipfs, pinset, peerId: identity.id, peername, logger: logger.child({ component: 'pintracker' }), expire },
  )
  await tracker.start()
  const allocator = createBalancedAllocator(section('allocator.balanced', parseBalancedAllocatorConfig))
  const acceptAllocation = cfg.pin_only_on_trusted_peers ? isTrusted : cfg.pin_only_on_untrusted_peers ? (p: string) => !isTrusted(p) : undefined
  const cluster = new Cluster(
    { peername, replication_factor_min: cfg.replication_factor_min, replication_factor_max: cfg.replication_factor_max, follower_mode: cfg.follower_mode },
    {
      libp2p,
      pinset,
      tracker,
      ipfs,
      logger: logger.child({ component: 'cluster' }),
      monitor,
      membership,
      rpc,
      allocator,
      ...(acceptAllocation !== undefined ? { acceptAllocation } : {}),
    },
  )
  const repinner = createRepinner(
    { ...parseRepinningConfig(config.json.cluster as Record<string, unknown> | undefined), disable_repinning: cfg.disable_repinning || cfg.follower_mode },
    {
      peerId: identity.id,
      pinset,
      monitor,
      allocator,
      logger: logger.child({ component: 'repinning' }),
      isTrusted,
      ...(acceptAllocation !== undefined ? { accept: acceptAllocation } : {}),
    },
  )
  // DELETE /peers/{id}: the removed peer's pins move now (this peer acts for all of them).
  membership.addEventListener('peer:removed', (evt) => {
    void repinner.reallocateFrom(evt.detail.peer, { closestOnly: false }).catch((err) => logger.warn({ err, peer: evt.detail.peer }, 're-allocation failed'))
  })
  const rpcServer = createRpcServer({ request_timeout: 10_000, call_timeout: 5 * 60_000 }, { libp2p, handlers: cluster.rpcHandlers(), policy, logger })
  await rpcServer.start()

  const pingTtl = 2 * cfg.monitor_ping_interval
  monitor.addInformer(createPingInformer({ ttl: pingTtl }, { peerId: identity.id, peername, ipfsId: (o) => ipfs.id(o) }), cfg.monitor_ping_interval)
  const informers: TimedInformer[] = [
    createDiskInformer(section('informer.disk', parseDiskInformerConfig), {
      peerId: identity.id,
      ipfs,
      ...(ipfsSetup.kind === 'embedded' ? { repoPath: join(path, 'ipfs') } : {}),
    }),
    ...createTagInformers(section('informer.tags', parseTagsInformerConfig), { peerId: identity.id }),
    createPinQueueInformer(section('informer.pinqueue', parsePinQueueInformerConfig), { peerId: identity.id, tracker }),
  ]
  const numpin = config.components['informer.numpin'] as NumPinInformerConfig | undefined
  if (numpin !== undefined) informers.push(createNumPinInformer(numpin, { peerId: identity.id, ipfs }))
  for (const informer of informers) monitor.addInformer(informer, informer.ttl / 2)
  await monitor.start()
  repinner.start()
  const connector = createPeerConnector(
    {
      peerstore_file: join(path, cfg.peerstore_file),
      peer_addresses: cfg.peer_addresses,
      rebootstrap_interval: Math.min(30_000, Math.max(1000, cfg.monitor_ping_interval)),
      dial_timeout: cfg.dial_peer_timeout,
    },
    { libp2p, logger, members: () => membership.peers(), isRemoved: (p) => removed.has(p) },
  )
  // A peer that subscribes to the metrics topic learns about us at once, not a ping interval later.
  let republish: ReturnType<typeof setTimeout> | undefined
  const topic = metricsTopic(clusterName(config.components))
  libp2p.services.pubsub.addEventListener('subscription-change', (evt) => {
    if (!evt.detail.subscriptions.some((s) => s.topic === topic && s.subscribe)) return
    clearTimeout(republish)
    republish = setTimeout(() => void monitor.publishInformersNow(), 200)
  })
  membership.addEventListener('peer:removed', (evt) => connector.forget(evt.detail.peer))
  // A peer whose ping expired is unreachable from here. Drop what is left of its connections so the
  // connector dials afresh: a TCP connection that crossed a network partition otherwise resumes
  // only when its retransmission backoff fires, up to a minute after the network heals.
  monitor.addEventListener('alert', (evt) => {
    if (evt.detail.name !== 'ping' || evt.detail.peer === identity.id) return
    const peer = peerIdFromString(evt.detail.peer)
    if (libp2p.getConnections(peer).length === 0) return
    logger.info({ peer: evt.detail.peer }, 'ping expired: closing stale connections to the peer')
    void libp2p.hangUp(peer).catch(() => undefined)
  })
  const joined = await connector.start(opts.bootstrap ?? [])
  if (!opts.noTrust) for (const p of joined) policy.trust(p)
  let knownMembers = membership.peers().length
  const saveTimer = setInterval(() => {
    const n = membership.peers().length
    if (n > knownMembers) void connector.save().catch((err) => logger.warn({ err }, 'could not save the peerstore'))
    knownMembers = n
  }, 2000)

  const apis = await startHttpApis({
    cluster,
    logger,
    baseDir: path,
    sources: { pinCount: () => pinset.size() },
    ...httpApiConfigs(config.json, process.env),
  })
  const proxyAddr = httpListenAddress(proxy.config.listen_multiaddress, 'api.ipfsproxy.listen_multiaddress')
  const proxyApp = createIpfsProxy({
    cluster,
    ipfs,
    config: proxy.config,
    ...(proxy.kuboUrl ? { kuboUrl: proxy.kuboUrl } : {}),
    logger: logger.child({ component: 'ipfsproxy' }),
  })
  const proxyServer = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: proxyApp.fetch, hostname: proxyAddr.hostname, port: proxyAddr.port }, () => resolve(s))
    s.once('error', reject)
  })
  const swarm = startIpfsSwarmConnector(
    { delay: ipfsSetup.connectSwarmsDelay, interval: ipfsSetup.connectSwarmsDelay > 0 ? 30_000 : 0 },
    {
      ipfs,
      async peerIpfsAddresses(signal) {
        const addrs: string[] = []
        for await (const peer of cluster.peers({ signal })) if (peer.id !== identity.id) addrs.push(...(peer.ipfs.addresses ?? []))
        return addrs
      },
      logger: logger.child({ component: 'ipfs-swarm' }),
    },
  )
  // Connect the IPFS nodes as soon as a new member shows up, not only on the periodic round.
  let ipfsMembers = membership.peers().length
  const swarmTimer = setInterval(() => {
    const n = membership.peers().length
    if (n > ipfsMembers && ipfsSetup.connectSwarmsDelay > 0) void swarm.connectNow()
    ipfsMembers = n
  }, 2000)
  logger.info(
    {
      id: identity.id,
      peername,
      api: apis.rest.urls,
      proxy: proxy.config.listen_multiaddress,
      ipfs: ipfsSetup.kind,
      listen: libp2p.getMultiaddrs().map(String),
    },
    'pinmesh peer ready',
  )

  let stopping: Promise<void> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        logger.info('stopping')
        clearInterval(swarmTimer)
        swarm.stop()
        await new Promise<void>((resolve) => proxyServer.close(() => resolve()))
        clearInterval(saveTimer)
        clearTimeout(republish)
        await apis.close()
        await connector.save().catch((err) => logger.warn({ err }, 'could not save the peerstore'))
        await connector.stop()
        await repinner.stop()
        await monitor.stop()
        await rpcServer.stop()
        await tracker.stop()
        await pinset.close()
        await ipfsSetup.stop()
        await libp2p.stop()
        await lock.release()
        logger.info('stopped')
      })()
      return stopping
    },
  }
}

/**
 * The HTTP APIs' sections as loaded (after the loader's env overrides) plus the env keys only the
 * API package knows (e.g. `CLUSTER_RESTAPI_SSLCERTFILE`, absent from the default file). The
 * Pinning Services API runs only when its section or its listen variable is present (as upstream
 * starts an API only when its section exists).
 */
function httpApiConfigs(json: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const sub = (section: string, component: string): Record<string, unknown> | undefined => {
    const s = json[section] as Record<string, unknown> | undefined
    const v = s?.[component]
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined
  }
  const pinsvc = sub('api', 'pinsvcapi')
  const pinsvcEnv = envOverrides('PINSVCAPI', env)
  return {
    rest: parseRestApiConfig({ ...sub('api', 'restapi'), ...envOverrides('RESTAPI', env) }),
    pinsvc: pinsvc !== undefined || pinsvcEnv.http_listen_multiaddress !== undefined ? parsePinSvcApiConfig({ ...pinsvc, ...pinsvcEnv }) : null,
    metrics: parseMetricsConfig({ ...sub('observations', 'metrics'), ...envOverrides('METRICS', env) }),
  }
}
