import { describe, expect, it } from 'vitest'
import { createProgress, renderProgress } from '../src/state/progress.js'

describe('progress', () => {
  it('renders a bar with percentage and counts', () => {
    expect(renderProgress('exporting', 50, 200, 'pins')).toBe(`exporting [${'#'.repeat(6)}${'-'.repeat(18)}] 25% 50/200 pins`)
    expect(renderProgress('importing', 3 * 1024 * 1024, 6 * 1024 * 1024, 'bytes', 7)).toMatch(/\] 50% 3\.0 MiB\/6\.0 MiB \(7 pins\)$/)
    expect(renderProgress('importing', 10, undefined, 'bytes', 2)).toBe('importing 10 B (2 pins)')
  })

  it('draws only on a terminal, throttled, and ends the line', () => {
    const written: string[] = []
    let t = 0
    const p = createProgress({
      label: 'x',
      total: 10,
      stream: { isTTY: true, columns: 80, write: (s: string) => written.push(s) },
      interval: 100,
      now: () => t,
    })
    p.update(1)
    t = 50
    p.update(2)
    t = 150
    p.update(3)
    p.finish()
    expect(written).toHaveLength(4)
    expect(written[0]).toMatch(/^\rx \[#{2}-{22}\] 10% 1\/10 pins/)
    expect(written[1]).toMatch(/30% 3\/10 pins/)
    expect(written[3]).toBe('\n')

    const piped: string[] = []
    const q = createProgress({ label: 'x', total: 10, stream: { isTTY: false, write: (s: string) => piped.push(s) } })
    q.update(5)
    q.finish()
    expect(piped).toEqual([])
  })
})
