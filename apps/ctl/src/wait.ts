/**
 * `--wait` (upstream's WaitFor, reference §1.12): polls the global status every second until
 * the target status is reached — on at least `limit` peers when a limit is given, otherwise on
 * every peer (with `remote` counting as done for `pinned`). Error statuses end the wait.
 */
import { ClientError, type PinmeshClient } from '@pinmesh/client'
import type { GlobalPinInfo, TrackerStatus } from '@pinmesh/interface'

const ERRORS: TrackerStatus[] = ['undefined', 'cluster_error', 'pin_error', 'unpin_error']

export function waitDone(g: GlobalPinInfo, target: TrackerStatus, limit: number): boolean {
  const peers = Object.entries(g.peer_map)
  for (const [peer, s] of peers)
    if (ERRORS.includes(s.status)) throw new ClientError(0, `waiting for ${target}: peer ${peer} reports ${s.status}${s.error ? `: ${s.error}` : ''}`)
  const reached = peers.filter(([, s]) => s.status === target).length
  if (limit > 0) return reached >= Math.min(limit, peers.length)
  return peers.every(([, s]) => s.status === target || (target === 'pinned' && s.status === 'remote'))
}

export async function waitFor(client: PinmeshClient, cid: string, target: TrackerStatus, limit: number, timeoutMs: number): Promise<GlobalPinInfo> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY
  for (;;) {
    const g = await client.status(cid)
    if (waitDone(g, target, limit)) return g
    if (Date.now() > deadline) throw new ClientError(0, `timed out after ${timeoutMs / 1000}s waiting for ${cid} to be ${target}`)
    await new Promise((r) => setTimeout(r, 1000))
  }
}
