/**
 * Operations of the tracker (reference §6.3): at most one per CID. A `pin` op makes the IPFS node
 * pin, an `unpin` op unpin (the CID left the pinset), a `remote` op unpin because the pin is now
 * allocated to other peers. Done operations are dropped, so `pinned` is normally reported from
 * what the IPFS node says, not from this table; failed ones stay (with their error) until a retry
 * or a newer operation replaces them.
 */
import type { Pin, TrackerStatus } from '@pinmesh/interface'

export type OpType = 'pin' | 'unpin' | 'remote'
export type Phase = 'queued' | 'in_progress' | 'error' | 'done'
export type QueueName = 'priority' | 'pin' | 'unpin'

export interface Operation {
  cid: string
  type: OpType
  phase: Phase
  /** The pin being applied (absent for unpins of CIDs already gone from the pinset). */
  pin: Pin | undefined
  attempts: number
  priority: boolean
  error: string
  /** Last phase change, ms since the epoch. */
  timestamp: number
  queue: QueueName | undefined
  controller: AbortController | undefined
  retryTimer: NodeJS.Timeout | undefined
  cancelled: boolean
  /** Set when a batch it was in failed: it is pinned on its own from then on. */
  solo: boolean
}

const STATUS: Record<OpType, Record<Exclude<Phase, 'done'>, TrackerStatus>> = {
  pin: { queued: 'pin_queued', in_progress: 'pinning', error: 'pin_error' },
  unpin: { queued: 'unpin_queued', in_progress: 'unpinning', error: 'unpin_error' },
  remote: { queued: 'remote', in_progress: 'remote', error: 'remote' },
}

export function opStatus(op: Operation): TrackerStatus {
  if (op.phase === 'done') return op.type === 'pin' ? 'pinned' : op.type === 'unpin' ? 'unpinned' : 'remote'
  return STATUS[op.type][op.phase]
}
