/**
 * `pinmesh daemon`: the composition root. Builds the peer from its parts in order (identity,
 * libp2p host, pinset, IPFS node, tracker, cluster, APIs) and stops them in reverse order.
 */
import { mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Cluster, createHost, loadOrCreateIdentity, startIpfsSwarmConnector } from '@pinmesh/core'
import { createIpfsProxy, createRestApi } from '@pinmesh/http-api'
import { createPinset } from '@pinmesh/pinset'
import { createPinTracker } from '@pinmesh/pintracker'
import type { Logger } from 'pino'
import { createIpfs, proxyConfig } from './ipfs.js'
import { httpListenAddress } from './listen.js'

export interface DaemonOptions {
  /** The peer's folder. */
  path: string
  logger: Logger
}

export interface RunningDaemon {
  stop(): Promise<void>
}

export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const { path, logger } = opts
  await mkdir(path, { recursive: true })
  const env = process.env
  const restAddr = env.CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS ?? '/ip4/127.0.0.1/tcp/9094'
  const listen = (env.CLUSTER_LISTENMULTIADDRESS ?? '/ip4/0.0.0.0/tcp/9096').split(',')
  const rest = httpListenAddress(restAddr, 'api.restapi.http_listen_multiaddress')
  const peername = env.CLUSTER_PEERNAME ?? hostname()

  const identity = await loadOrCreateIdentity(path)
  const libp2p = await createHost({ privateKey: identity.privateKey, listen })
  const pinset = await createPinset({ path: join(path, 'pinset') })
  const ipfsSetup = await createIpfs(path, logger)
  const { ipfs } = ipfsSetup
  const proxy = proxyConfig(ipfsSetup)
  await ipfsSetup.start()
  const tracker = createPinTracker({ concurrent_pins: 10 }, { ipfs, pinset, peerId: identity.id, peername, logger: logger.child({ component: 'pintracker' }) })
  await tracker.start()
  const cluster = new Cluster(
    { peername, replication_factor_min: -1, replication_factor_max: -1, follower_mode: false },
    { libp2p, pinset, tracker, ipfs, logger: logger.child({ component: 'cluster' }) },
  )
  const app = createRestApi({ cluster })
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: rest.hostname, port: rest.port }, () => resolve(s))
    s.once('error', reject)
  })
  const proxyAddr = httpListenAddress(proxy.config.listen_multiaddress, 'api.ipfsproxy.listen_multiaddress')
  const proxyApp = createIpfsProxy({ cluster, ipfs, ...(proxy.kuboUrl ? { kuboUrl: proxy.kuboUrl } : {}), logger: logger.child({ component: 'ipfsproxy' }) })
  const proxyServer = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: proxyApp.fetch, hostname: proxyAddr.hostname, port: proxyAddr.port }, () => resolve(s))
    s.once('error', reject)
  })
  const swarm = startIpfsSwarmConnector(
    { delay: ipfsSetup.connectSwarmsDelay, interval: ipfsSetup.connectSwarmsDelay > 0 ? 60_000 : 0 },
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
  logger.info(
    { id: identity.id, peername, api: restAddr, proxy: proxy.config.listen_multiaddress, ipfs: ipfsSetup.kind, listen: libp2p.getMultiaddrs().map(String) },
    'pinmesh peer ready',
  )

  let stopping: Promise<void> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        logger.info('stopping')
        swarm.stop()
        await new Promise<void>((resolve) => proxyServer.close(() => resolve()))
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await tracker.stop()
        await pinset.close()
        await ipfsSetup.stop()
        await libp2p.stop()
        logger.info('stopped')
      })()
      return stopping
    },
  }
}
