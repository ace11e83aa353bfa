import { EventEmitter } from 'node:events'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { collectYoung, paceYoungGc, YOUNG_GC_EVERY, youngGcPacer } from '../src/young-gc.js'

describe('youngGcPacer', () => {
  it('collects once per YOUNG_GC_EVERY bytes, counting across chunks of any size', () => {
    let collections = 0
    const paced = youngGcPacer(YOUNG_GC_EVERY, () => collections++)
    paced(YOUNG_GC_EVERY - 1)
    expect(collections).toBe(0)
    paced(1)
    expect(collections).toBe(1)
    for (let i = 0; i < 64; i++) paced(YOUNG_GC_EVERY / 16)
    expect(collections).toBe(5)
  })

  it('paces by the chunks a stream emits until stopped', () => {
    let collections = 0
    const stream = new EventEmitter()
    const stop = paceYoungGc(stream, 1000, () => collections++)
    for (let i = 0; i < 8; i++) stream.emit('data', Buffer.alloc(500))
    expect(collections).toBe(4)
    stop()
    expect(stream.listenerCount('data')).toBe(0)
    for (let i = 0; i < 8; i++) stream.emit('data', Buffer.alloc(500))
    expect(collections).toBe(4)
  })

  it('runs a real young-generation collection and leaves no gc global behind', async () => {
    const kinds: number[] = []
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) kinds.push((entry as unknown as { detail: { kind: number } }).detail.kind)
    })
    observer.observe({ entryTypes: ['gc'] })
    for (let i = 0; i < 3; i++) collectYoung()
    await new Promise((resolve) => setTimeout(resolve, 50))
    observer.disconnect()
    expect(kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MINOR).length).toBeGreaterThanOrEqual(3)
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined()
  })
})
