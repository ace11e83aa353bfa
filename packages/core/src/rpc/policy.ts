/**
 * Which calls a peer may make (upstream's RPC authorization, reference Appendix A.3): `id` and
 * `version` are open to every peer holding the cluster secret; everything else needs a trusted
 * peer (`consensus.crdt.trusted_peers`, `*` = all). Peers removed from the cluster are never
 * trusted.
 */
import type { RpcMethod } from './protocol.js'

export const OPEN_METHODS: ReadonlySet<RpcMethod> = new Set(['id', 'version'])

export interface TrustPolicy {
  /** True when `peer` is trusted (may call every method). */
  isTrusted(peer: string): boolean
}

/** Trust from a `trusted_peers` list; `*` trusts everyone except `removed` peers. */
export function createTrustPolicy(trustedPeers: readonly string[], removed: { has(peer: string): boolean }): TrustPolicy & { trust(peer: string): void } {
  const all = trustedPeers.includes('*')
  const trusted = new Set(trustedPeers)
  return {
    isTrusted: (peer) => !removed.has(peer) && (all || trusted.has(peer)),
    trust: (peer) => {
      trusted.add(peer)
    },
  }
}

export function mayCall(policy: TrustPolicy, peer: string, method: RpcMethod): boolean {
  return OPEN_METHODS.has(method) || policy.isTrusted(peer)
}
