/**
 * Values the daemon reads from sections owned by other packages while their parsers have not
 * landed (they are passed through as loaded JSON). Each read checks its type and names the key.
 */
import { InvalidConfigError } from '@pinmesh/interface'

function section(components: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = components[key]
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
}

export function clusterName(components: Record<string, unknown>): string {
  const v = section(components, 'consensus.crdt').cluster_name ?? 'ipfs-cluster'
  if (typeof v !== 'string' || v === '') throw new InvalidConfigError('consensus.crdt.cluster_name', `must be a non-empty string, got ${JSON.stringify(v)}`)
  return v
}

export function trustedPeers(components: Record<string, unknown>): string[] {
  const v = section(components, 'consensus.crdt').trusted_peers ?? ['*']
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string')) {
    throw new InvalidConfigError('consensus.crdt.trusted_peers', `must be a list of peer IDs or ["*"], got ${JSON.stringify(v)}`)
  }
  return v as string[]
}
