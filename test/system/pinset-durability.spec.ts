/**
 * Durability: a child process acknowledges pin writes and is killed with SIGKILL right after;
 * reopening its state finds every acknowledged pin.
 */
import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createPinset } from '@pinmesh/pinset'
import { describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'
import { cidFor } from './fixtures/pinset-cids.js'
import { silent } from './fixtures/pinset-nodes.js'

describe('pinset durability', () => {
  it('keeps every acknowledged pin after SIGKILL', async () => {
    const dir = await tempDir('pinmesh-durable-')
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/system/fixtures/pinset-writer.ts'), dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const acked: number[] = []
    let ready = false
    let buffer = ''
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        if (line === 'ready') ready = true
        else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)))
      }
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
    await waitFor(() => ready, { timeout: 30_000, message: `writer ready (stderr: ${stderr})` })
    await waitFor(() => acked.length >= 3000, { timeout: 60_000, message: 'writer acknowledged 3000 pins' })
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    const count = acked.length
    const pinset = await createPinset({ path: dir, shards: 16 }, { logger: silent })
    const missing: number[] = []
    for (const n of acked) if (!(await pinset.has(cidFor(n)))) missing.push(n)
    expect(missing).toEqual([])
    expect(await pinset.size()).toBeGreaterThanOrEqual(count)
    await pinset.close()
    await rm(dir, { recursive: true, force: true })
  })
})
