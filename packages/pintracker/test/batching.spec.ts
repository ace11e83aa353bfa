/**
 * Batching in the tracker: a backlog of plain recursive pins goes to the IPFS node in `pinMany`
 * requests; a short queue still pins one CID per request; a failed or slow batch falls back to
 * one request per pin, so every pin gets its own status and error. (The same against a real
 * Kubo: `kubo-batching.spec.ts`.)
 */
import type { Pin } from '@pinmesh/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../../../test/helpers/wait.js'
import { type PinTrackerConfig, StatelessPinTracker } from '../src/index.js'
import { BatchingFakeIpfs, cidOf, logger, MemoryPinset, pinOf, SELF } from './fakes.js'

let tracker: StatelessPinTracker | undefined

afterEach(async () => {
  await tracker?.stop()
  tracker = undefined
})

async function setup(config: Partial<PinTrackerConfig> = {}) {
  const pinset = new MemoryPinset()
  const ipfs = new BatchingFakeIpfs()
  tracker = new StatelessPinTracker(
    { retry_backoff_min: 60_000, retry_backoff_max: 60_000, pin_recover_interval: 0, ...config },
    { ipfs, pinset, peerId: SELF, peername: 'self', logger },
  )
  await tracker.start()
  await tracker.reconciled()
  return { pinset, ipfs, tracker }
}

/**
 * Queues `n` pins behind a held IPFS node (a first, plain pin keeps the workers busy, so all `n`
 * wait in the queue); `release` lets it go.
 */
async function backlog(pinset: MemoryPinset, ipfs: BatchingFakeIpfs, n: number, tag: string, edit: (pin: Pin, i: number) => void = () => {}) {
  const release = ipfs.holdPins()
  await pinset.put(pinOf(await cidOf(`${tag}-blocker`)))
  const cids: string[] = []
  for (let i = 0; i < n; i++) {
    const pin = pinOf(await cidOf(`${tag}${i}`))
    edit(pin, i)
    cids.push(pin.cid)
    await pinset.put(pin)
  }
  return { cids, release }
}

describe('tracker batching (pinMany)', () => {
  it('a lone pin is one pin request', async () => {
    const { pinset, ipfs, tracker } = await setup()
    const cid = await cidOf('lone')
    await pinset.put(pinOf(cid))
    await waitFor(async () => (await tracker.status(cid)).status === 'pinned', { message: 'pinned' })
    expect(ipfs.calls).toEqual([`pin ${cid}`])
  })

  it('a backlog is pinned in batches of at most pin_batch_size, every CID once', async () => {
    const { pinset, ipfs, tracker } = await setup({ concurrent_pins: 2, pin_batch_size: 8 })
    const { cids, release } = await backlog(pinset, ipfs, 60, 'b')
    release()
    await waitFor(() => ipfs.pinned.size === 61, { message: 'all pinned' })
    expect(ipfs.batches.length).toBeGreaterThan(0)
    expect(Math.max(...ipfs.batches.map((b) => b.length))).toBeLessThanOrEqual(8)
    const requested = [...ipfs.batches.flat(), ...ipfs.calls.filter((c) => c.startsWith('pin ')).map((c) => c.slice(4))]
    expect(requested.sort()).toEqual([...cids, await cidOf('b-blocker')].sort())
    for (const cid of cids) expect((await tracker.status(cid)).status).toBe('pinned')
  })

  it('pin_batch_size 1 turns batching off', async () => {
    const { pinset, ipfs } = await setup({ concurrent_pins: 1, pin_batch_size: 1 })
    const { release } = await backlog(pinset, ipfs, 10, 'off')
    release()
    await waitFor(() => ipfs.pinned.size === 11, { message: 'all pinned' })
    expect(ipfs.batches).toEqual([])
  })

  it('a failing CID fails its batch; every pin is then tried alone and only that one reports pin_error', async () => {
    const { pinset, ipfs, tracker } = await setup({ concurrent_pins: 1, pin_batch_size: 16 })
    const { cids, release } = await backlog(pinset, ipfs, 12, 'f')
    const bad = cids[5] as string
    ipfs.failPin.set(bad, 'pin: protobuf: invalid wireType')
    release()
    await waitFor(async () => (await tracker.status(bad)).status === 'pin_error', { message: 'bad one in pin_error' })
    await waitFor(() => ipfs.pinned.size === 12, { message: 'the others pinned' })
    expect(ipfs.batches.some((b) => b.includes(bad))).toBe(true)
    expect(ipfs.calls).toContain(`pin ${bad}`)
    expect(await tracker.status(bad)).toMatchObject({ error: 'pin: protobuf: invalid wireType', attempt_count: 1 })
    for (const cid of cids) if (cid !== bad) expect((await tracker.status(cid)).status).toBe('pinned')
  })

  it('a batch still running after pin_batch_timeout is abandoned and its pins are pinned one by one', async () => {
    const { pinset, ipfs, tracker } = await setup({ concurrent_pins: 1, pin_batch_size: 16, pin_batch_timeout: 100 })
    ipfs.hangBatches = true
    const { cids, release } = await backlog(pinset, ipfs, 6, 'slow')
    release()
    await waitFor(() => ipfs.pinned.size === 7, { message: 'all pinned alone' })
    expect(ipfs.batches.length).toBeGreaterThan(0)
    for (const cid of cids) expect((await tracker.status(cid)).status).toBe('pinned')
  })

  it('pins with origins, a pin_update, direct or depth-limited pins are never batched', async () => {
    const { pinset, ipfs } = await setup({ concurrent_pins: 1, pin_batch_size: 16 })
    // two of each kind in a row, so two of a kind would share a batch if they were allowed to
    const { cids, release } = await backlog(pinset, ipfs, 8, 'special', (pin, n) => {
      const i = Math.floor(n / 2)
      if (i % 4 === 0) pin.origins = ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWOrigin']
      if (i % 4 === 1) pin.pin_update = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'
      if (i % 4 === 2) {
        pin.max_depth = 0
        pin.mode = 'direct'
      }
      if (i % 4 === 3) pin.max_depth = 2
    })
    release()
    await waitFor(() => ipfs.pinned.size === 9, { message: 'all pinned' })
    expect(ipfs.batches).toEqual([])
    expect(ipfs.calls.filter((c) => c.startsWith('pin ')).length).toBe(cids.length + 1)
  })
})
