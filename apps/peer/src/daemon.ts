/**
 * `pinmesh daemon`: the composition root. Builds the peer from its parts in order (identity,
 * libp2p host, pinset, IPFS node, tracker, cluster, APIs) and stops them in reverse order.
 */
import { mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { Cluster, createHost, loadOrCreateIdentity } from '@pinmesh/core'
import { startHttpApis } from '@pinmesh/http-api'
import { createHeliaConnector } from '@pinmesh/ipfs-connector'
import { createPinset } from '@pinmesh/pinset'
import { createPinTracker } from '@pinmesh/pintracker'
import type { Logger } from 'pino'

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
  const peername = env.CLUSTER_PEERNAME ?? hostname()

  const identity = await loadOrCreateIdentity(path)
  const libp2p = await createHost({ privateKey: identity.privateKey, listen })
  const pinset = await createPinset({ path: join(path, 'pinset') })
  const ipfs = await createHeliaConnector({ path: join(path, 'ipfs') })
  await ipfs.start()
  const tracker = createPinTracker({ concurrent_pins: 10 }, { ipfs, pinset, peerId: identity.id, peername, logger: logger.child({ component: 'pintracker' }) })
  await tracker.start()
  const cluster = new Cluster(
    { peername, replication_factor_min: -1, replication_factor_max: -1, follower_mode: false },
    { libp2p, pinset, tracker, ipfs, logger: logger.child({ component: 'cluster' }) },
  )
  const apis = await startHttpApis({ cluster, logger, baseDir: path, sources: { pinCount: () => pinset.size() } })
  logger.info({ id: identity.id, peername, api: restAddr, listen: libp2p.getMultiaddrs().map(String) }, 'pinmesh peer ready')

  let stopping: Promise<void> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        logger.info('stopping')
        await apis.close()
        await tracker.stop()
        await pinset.close()
        await ipfs.stop()
        await libp2p.stop()
        logger.info('stopped')
      })()
      return stopping
    },
  }
}
