/**
 * Expiry schedule: a min-heap of (expire time, CID) for pins with `expire_at`, and one timer for
 * the soonest. Entries are checked against the current pin when they fire, so updated or removed
 * pins need no bookkeeping. Memory grows only with pins that have an expiry.
 */
export interface ExpiryEntry {
  at: number
  cid: string
}

export class ExpiryHeap {
  private readonly heap: ExpiryEntry[] = []

  get size(): number {
    return this.heap.length
  }

  peek(): ExpiryEntry | undefined {
    return this.heap[0]
  }

  push(entry: ExpiryEntry): void {
    const h = this.heap
    h.push(entry)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((h[parent] as ExpiryEntry).at <= entry.at) break
      h[i] = h[parent] as ExpiryEntry
      i = parent
    }
    h[i] = entry
  }

  pop(): ExpiryEntry | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined || h.length === 0) return top
    // Sift `last` down from the root.
    const n = h.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      let best = last
      if (l < n && (h[l] as ExpiryEntry).at < best.at) {
        m = l
        best = h[l] as ExpiryEntry
      }
      if (r < n && (h[r] as ExpiryEntry).at < best.at) {
        m = r
        best = h[r] as ExpiryEntry
      }
      if (m === i) break
      h[i] = best
      i = m
    }
    h[i] = last
    return top
  }

  clear(): void {
    this.heap.length = 0
  }
}
