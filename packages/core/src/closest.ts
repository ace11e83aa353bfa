/**
 * "Closest peer" (reference §8.4): of the live trusted peers, the one whose
 * sha256(peer ID string) XOR sha256(CID string) is smallest acts for a CID. Every peer computes
 * the same answer from the same peer list, so exactly one peer re-allocates (or expires) each
 * pin and the work spreads over the cluster. (Upstream uses blake2b over binary IDs; pinmesh
 * peers do not share this wire with Go peers, so sha256 over strings is used.)
 */
import { createHash } from 'node:crypto'

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

function less(a: Buffer, b: Buffer): boolean {
  return Buffer.compare(a, b) < 0
}

/** The distance of `peer` to `cid`. */
export function distance(peer: string, cid: string | Buffer): Buffer {
  const p = digest(peer)
  const c = typeof cid === 'string' ? digest(cid) : cid
  const out = Buffer.allocUnsafe(32)
  for (let i = 0; i < 32; i++) out[i] = (p[i] as number) ^ (c[i] as number)
  return out
}

/** True when `self` is closest to `cid` among `peers` (self included implicitly, `exclude` left out). */
export function isClosest(self: string, cid: string, peers: Iterable<string>, exclude: ReadonlySet<string> = new Set()): boolean {
  const c = digest(cid)
  const mine = distance(self, c)
  for (const peer of peers) {
    if (peer === self || exclude.has(peer)) continue
    if (less(distance(peer, c), mine)) return false
  }
  return true
}
