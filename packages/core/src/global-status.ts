/**
 * Cluster-wide status and recover (reference §6.6, §1.9 #10–12): the allocated peers are asked
 * over RPC (self locally), every other member is reported `remote`, peers that fail are reported
 * `cluster_error` with the reason, and peers that refuse the call as untrusted are left out.
 */
import type { AbortOptions, GlobalPinInfo, Pin, PinInfo, TrackerStatus } from '@pinmesh/interface'
import { formatTime, mergePinInfo } from '@pinmesh/interface'
import type { PingValue } from '@pinmesh/monitor'

/** How long a fan-out waits for each peer (upstream: 15 s). */
export const FANOUT_TIMEOUT = 15_000

export interface FanoutComponents {
  self: string
  members(): string[]
  peerInfo(peer: string): PingValue
  /** Local or remote call, by peer. */
  status(peer: string, cid: string, options: AbortOptions): Promise<PinInfo>
  recover(peer: string, cid: string, options: AbortOptions): Promise<PinInfo>
  statusAll(peer: string, filter: number, options: AbortOptions): AsyncIterable<PinInfo>
  recoverAll(peer: string, options: AbortOptions): AsyncIterable<PinInfo>
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof Error && err.name === 'RpcUnauthorizedError'
}

/** A PinInfo the caller fills in for a peer it did not (or could not) ask. */
export function syntheticInfo(peer: string, info: PingValue, cid: string, pin: Pin | undefined, status: TrackerStatus, error = ''): PinInfo {
  const now = formatTime(Date.now())
  return {
    cid,
    name: pin?.name ?? '',
    peer,
    allocations: pin?.allocations ?? [],
    origins: pin?.origins ?? [],
    created: pin?.timestamp ?? now,
    metadata: pin?.metadata ?? null,
    peername: info.peer_name ?? '',
    ...(info.ipfs_id ? { ipfs_peer_id: info.ipfs_id } : {}),
    ...(info.ipfs_addresses?.length ? { ipfs_peer_addresses: info.ipfs_addresses } : {}),
    status,
    timestamp: now,
    error,
    attempt_count: 0,
    priority_pin: false,
  }
}

function allocatedTo(pin: Pin, members: string[]): Set<string> {
  if (pin.replication_factor_min === -1 || pin.allocations.length === 0) return new Set(members)
  return new Set(pin.allocations)
}

/** One CID across the cluster: `status` or `recover` on the allocated peers, `remote` for the rest. */
export async function globalPinInfo(
  c: FanoutComponents,
  cid: string,
  pin: Pin | undefined,
  op: 'status' | 'recover',
  options?: AbortOptions,
): Promise<GlobalPinInfo> {
  const members = c.members()
  const destinations = pin === undefined ? new Set(members) : allocatedTo(pin, members)
  const signal = AbortSignal.any([AbortSignal.timeout(FANOUT_TIMEOUT), ...(options?.signal ? [options.signal] : [])])
  const results = await Promise.all(
    members.map(async (peer): Promise<PinInfo | undefined> => {
      if (!destinations.has(peer)) return syntheticInfo(peer, c.peerInfo(peer), cid, pin, 'remote')
      try {
        const info = op === 'status' ? await c.status(peer, cid, { signal }) : await c.recover(peer, cid, { signal })
        return { ...info, peer }
      } catch (err) {
        if (isUnauthorized(err)) return undefined
        return syntheticInfo(peer, c.peerInfo(peer), cid, pin, 'cluster_error', (err as Error).message)
      }
    }),
  )
  let global: GlobalPinInfo | undefined
  // Healthy answers first so that top-level fields come from them.
  for (const info of results.filter((r): r is PinInfo => r !== undefined).sort((a, b) => rank(a) - rank(b))) global = mergePinInfo(global, info)
  return (
    global ?? {
      cid,
      name: pin?.name ?? '',
      allocations: pin?.allocations ?? [],
      origins: pin?.origins ?? [],
      created: pin?.timestamp ?? formatTime(Date.now()),
      metadata: pin?.metadata ?? null,
      peer_map: {},
    }
  )
}

function rank(info: PinInfo): number {
  return info.status === 'cluster_error' ? 1 : 0
}

/**
 * Every CID across the cluster: `statusAll` (or `recoverAll`) streamed from every member and
 * merged per CID. A member that fails gets a `cluster_error` entry on every CID.
 */
export async function* globalPinInfos(
  c: FanoutComponents,
  op: 'statusAll' | 'recoverAll',
  filter: number,
  options?: AbortOptions,
): AsyncIterable<GlobalPinInfo> {
  const members = c.members()
  const merged = new Map<string, GlobalPinInfo>()
  const failed = new Map<string, string>()
  const signal = options?.signal
  await Promise.all(
    members.map(async (peer) => {
      try {
        const items = op === 'statusAll' ? c.statusAll(peer, filter, signal ? { signal } : {}) : c.recoverAll(peer, signal ? { signal } : {})
        for await (const info of items) merged.set(info.cid, mergePinInfo(merged.get(info.cid), { ...info, peer }))
      } catch (err) {
        if (!isUnauthorized(err)) failed.set(peer, (err as Error).message)
      }
    }),
  )
  for (const global of merged.values()) {
    for (const [peer, error] of failed) {
      const short = syntheticInfo(peer, c.peerInfo(peer), global.cid, undefined, 'cluster_error', error)
      global.peer_map[peer] = mergePinInfo(undefined, short).peer_map[peer] as GlobalPinInfo['peer_map'][string]
    }
    yield global
  }
}
