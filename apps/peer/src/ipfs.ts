/**
 * The IPFS side of the daemon: Kubo when `ipfs_connector.ipfshttp.node_multiaddress` is
 * configured (env `CLUSTER_IPFSHTTP_NODEMULTIADDRESS`), else the embedded Helia node in the
 * peer's folder; and the IPFS proxy's config (`api.ipfsproxy`, env `CLUSTER_IPFSPROXY_*`).
 * Config sections may come from `service.json` (`sections`); `CLUSTER_*` variables override.
 */
import { join } from 'node:path'
import { IPFSPROXY_DEFAULTS, type IpfsProxyConfig, parseIpfsProxyConfig } from '@pinmesh/http-api'
import type { IpfsConnector } from '@pinmesh/interface'
import { createHeliaConnector, createKuboConnector, kuboApiUrl, parseEmbeddedIpfsConfig, parseIpfsHttpConfig } from '@pinmesh/ipfs-connector'
import type { Logger } from 'pino'

/** Comma-separated in the environment. */
const LIST_KEYS = new Set(['extract_headers_extra'])

/** Keys of a section overridden by `CLUSTER_<PREFIX>_<KEY without underscores, upper case>`. */
function fromEnv(section: unknown, prefix: string, keys: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = { ...((section as Record<string, unknown> | undefined) ?? {}) }
  for (const key of keys) {
    const v = env[`CLUSTER_${prefix}_${key.replace(/_/g, '').toUpperCase()}`]
    if (v === undefined || v === '') continue
    if (LIST_KEYS.has(key)) {
      out[key] = v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
      continue
    }
    out[key] = v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) && !/(timeout|delay|ttl)$/.test(key) ? Number(v) : v
  }
  return out
}

const IPFSHTTP_KEYS = ['node_multiaddress', 'connect_swarms_delay', 'ipfs_request_timeout', 'pin_timeout', 'unpin_timeout', 'repogc_timeout', 'unpin_disable']
const EMBEDDED_KEYS = [
  'listen_multiaddress',
  'storage_max',
  'connect_swarms_delay',
  'ipfs_request_timeout',
  'pin_timeout',
  'unpin_timeout',
  'repogc_timeout',
  'unpin_disable',
]
const PROXY_KEYS = ['listen_multiaddress', 'node_multiaddress', 'node_https', 'extract_headers_extra', 'extract_headers_path', 'extract_headers_ttl']

export interface IpfsSetup {
  ipfs: IpfsConnector
  kind: 'kubo' | 'embedded'
  /** Kubo RPC base URL the proxy forwards to (absent with the embedded node). */
  kuboUrl?: string
  connectSwarmsDelay: number
  start(): Promise<void>
  stop(): Promise<void>
}

export interface IpfsSections {
  ipfshttp?: unknown
  embedded?: unknown
  ipfsproxy?: unknown
}

/** The IPFS-related sections of a loaded `service.json`. */
export function ipfsSections(json: Record<string, unknown>): IpfsSections {
  const connector = json.ipfs_connector as Record<string, unknown> | undefined
  return { ipfshttp: connector?.ipfshttp, embedded: connector?.embedded, ipfsproxy: (json.api as Record<string, unknown> | undefined)?.ipfsproxy }
}

/** Builds the IPFS connector the configuration asks for. */
export async function createIpfs(path: string, logger: Logger, env: NodeJS.ProcessEnv = process.env, sections: IpfsSections = {}): Promise<IpfsSetup> {
  const http = fromEnv(sections.ipfshttp, 'IPFSHTTP', IPFSHTTP_KEYS, env)
  if (http.node_multiaddress !== undefined) {
    const config = parseIpfsHttpConfig(http, 'ipfs_connector.ipfshttp')
    const kubo = createKuboConnector(config, { logger: logger.child({ component: 'ipfshttp' }) })
    logger.info({ node: config.node_multiaddress }, 'using kubo')
    return { ipfs: kubo, kind: 'kubo', kuboUrl: kubo.url, connectSwarmsDelay: config.connect_swarms_delay, start: async () => {}, stop: () => kubo.stop() }
  }
  const rawEmbedded = fromEnv(sections.embedded, 'EMBEDDED', EMBEDDED_KEYS, env)
  if (typeof rawEmbedded.listen_multiaddress === 'string') rawEmbedded.listen_multiaddress = rawEmbedded.listen_multiaddress.split(',')
  const config = parseEmbeddedIpfsConfig(rawEmbedded, 'ipfs_connector.embedded')
  const helia = await createHeliaConnector({
    path: join(path, 'ipfs'),
    listen: config.listen_multiaddress,
    config,
    logger: logger.child({ component: 'ipfs' }),
  })
  return { ipfs: helia, kind: 'embedded', connectSwarmsDelay: config.connect_swarms_delay, start: () => helia.start(), stop: () => helia.stop() }
}

/**
 * The proxy's config. With Kubo it forwards to `api.ipfsproxy.node_multiaddress` when that is
 * set to something other than the default, else to the Kubo the connector uses; with the
 * embedded node there is no Kubo to forward to.
 */
export function proxyConfig(setup: IpfsSetup, env: NodeJS.ProcessEnv = process.env, section?: unknown): { config: IpfsProxyConfig; kuboUrl?: string } {
  const config = parseIpfsProxyConfig(fromEnv(section, 'IPFSPROXY', PROXY_KEYS, env), 'api.ipfsproxy')
  if (setup.kuboUrl === undefined) return { config }
  const custom = config.node_multiaddress !== IPFSPROXY_DEFAULTS.node_multiaddress || config.node_https
  const kuboUrl = custom ? kuboApiUrl(config.node_multiaddress, config.node_https, 'api.ipfsproxy.node_multiaddress') : setup.kuboUrl
  return { config, kuboUrl }
}
