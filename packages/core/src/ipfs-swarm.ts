/**
 * Connects the local IPFS node to the IPFS nodes of the other cluster peers, as upstream does
 * with Kubo's `swarm/connect` (`connect_swarms_delay`): once after the delay, then again every
 * `interval` so peers that join later (or reconnect) are linked too. Where the other peers' IPFS
 * addresses come from is the caller's business (the `ping` metric, or `ClusterApi.peers()`).
 */
import type { IpfsConnector } from '@pinmesh/interface'
import type { Logger } from 'pino'

export interface IpfsSwarmConnectorConfig {
  /** Wait before the first round (0 disables the connector, as upstream). */
  delay: number
  /** Time between later rounds (0 = only once). */
  interval: number
}

export interface IpfsSwarmConnectorComponents {
  ipfs: IpfsConnector
  /** IPFS multiaddresses (with `/p2p/`) of the other peers' IPFS nodes. */
  peerIpfsAddresses(signal: AbortSignal): Promise<string[]>
  logger: Logger
}

export interface IpfsSwarmConnector {
  /** Runs one round now; resolves with the number of addresses connected. */
  connectNow(): Promise<number>
  stop(): void
}

export function startIpfsSwarmConnector(config: IpfsSwarmConnectorConfig, c: IpfsSwarmConnectorComponents): IpfsSwarmConnector {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const round = async (): Promise<number> => {
    let connected = 0
    const addrs = await c.peerIpfsAddresses(controller.signal).catch(() => [])
    const own = await c.ipfs.id({ signal: controller.signal }).catch(() => undefined)
    await Promise.all(
      addrs
        .filter((a) => own === undefined || !a.includes(`/p2p/${own.id}`))
        .map(async (addr) => {
          try {
            await c.ipfs.swarmConnect(addr, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(30_000)]) })
            connected++
          } catch (err) {
            c.logger.debug({ addr, err: (err as Error).message }, 'ipfs swarm connect failed')
          }
        }),
    )
    if (connected > 0) c.logger.debug({ connected }, 'connected ipfs node to cluster peers')
    return connected
  }
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      void round().finally(() => {
        if (!controller.signal.aborted && config.interval > 0) schedule(config.interval)
      })
    }, ms)
    timer.unref?.()
  }
  if (config.delay > 0) schedule(config.delay)
  return {
    connectNow: round,
    stop() {
      controller.abort()
      clearTimeout(timer)
    },
  }
}
