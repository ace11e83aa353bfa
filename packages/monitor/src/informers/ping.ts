/**
 * The `ping` informer: the metric whose liveness defines cluster membership (reference §9.8).
 * Its value is JSON `{"peer_name", "ipfs_id", "ipfs_addresses"}` (keys omitted when empty; only
 * DNS and global-unicast IP addresses), so other peers can name a silent peer and its IPFS node.
 */
import type { AbortOptions, Metric } from '@pinmesh/interface'
import { msToNs, nowNs } from '../time.js'

export interface PingInformerConfig {
  /** Metric lifetime in ms: 2 × `cluster.monitor_ping_interval`. */
  ttl: number
}

export interface PingInformerComponents {
  peerId: string
  peername: string
  /** The IPFS node's identity; failures leave the IPFS fields out. */
  ipfsId?(options?: AbortOptions): Promise<{ id: string; addresses: string[] }>
}

export interface PingValue {
  peer_name?: string
  ipfs_id?: string
  ipfs_addresses?: string[]
}

/** True for `/dns*` addresses and global-unicast IPv4/IPv6 addresses. */
export function isPublicAddress(addr: string): boolean {
  const m = /^\/(ip4|ip6|dns|dns4|dns6|dnsaddr)\/([^/]+)/.exec(addr)
  if (m === null) return false
  const [, proto, host] = m as unknown as [string, string, string]
  if (proto.startsWith('dns')) return true
  if (proto === 'ip4') {
    const [a, b] = host.split('.').map(Number) as [number, number]
    if (a === 0 || a === 10 || a === 127 || a >= 224) return false
    if (a === 169 && b === 254) return false
    if (a === 172 && b >= 16 && b <= 31) return false
    if (a === 192 && b === 168) return false
    if (a === 100 && b >= 64 && b <= 127) return false
    return true
  }
  const first = Number.parseInt(host.split(':')[0] || '0', 16)
  return first >= 0x2000 && first <= 0x3fff
}

export function pingValue(peername: string, ipfs?: { id: string; addresses: string[] }): PingValue {
  const addresses = (ipfs?.addresses ?? []).filter(isPublicAddress)
  return {
    ...(peername !== '' ? { peer_name: peername } : {}),
    ...(ipfs?.id ? { ipfs_id: ipfs.id } : {}),
    ...(addresses.length > 0 ? { ipfs_addresses: addresses } : {}),
  }
}

/** Parses a ping metric's value; `{}` when it is not valid JSON of that shape. */
export function parsePingValue(value: string): PingValue {
  try {
    const v = JSON.parse(value) as Record<string, unknown>
    if (typeof v !== 'object' || v === null) return {}
    return {
      ...(typeof v.peer_name === 'string' ? { peer_name: v.peer_name } : {}),
      ...(typeof v.ipfs_id === 'string' ? { ipfs_id: v.ipfs_id } : {}),
      ...(Array.isArray(v.ipfs_addresses) ? { ipfs_addresses: v.ipfs_addresses.filter((a): a is string => typeof a === 'string') } : {}),
    }
  } catch {
    return {}
  }
}

export function createPingInformer(config: PingInformerConfig, c: PingInformerComponents) {
  return {
    name: 'ping',
    async getMetric(options?: AbortOptions): Promise<Metric> {
      const ipfs = await c.ipfsId?.(options).catch(() => undefined)
      return {
        name: 'ping',
        peer: c.peerId,
        value: JSON.stringify(pingValue(c.peername, ipfs)),
        expire: nowNs() + msToNs(config.ttl),
        valid: true,
        weight: 0,
        partitionable: false,
        received_at: 0n,
      }
    },
  }
}
