/**
 * The tracker under faults, against a REAL embedded IPFS node (Helia from
 * @pinmesh/ipfs-connector, blocks and pins on disk). The connector is wrapped so chosen calls
 * fail or hang; the tracker must retry, report `pin_error` with the message and the attempt
 * count, and pin for real once the fault is gone and the pin is recovered.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IpfsConnector } from '@pinmesh/interface'
import { createHeliaConnector, type HeliaConnector } from '@pinmesh/ipfs-connector'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../../test/helpers/wait.js'
import { StatelessPinTracker } from '../src/index.js'
import { logger, MemoryPinset, pinOf, SELF } from './fakes.js'

type Fault = { kind: 'fail'; message: string } | { kind: 'hang' }

/** Wraps a connector: calls named in `faults` fail with a message or hang forever (ignoring abort). */
function faulty(inner: IpfsConnector, faults: Map<keyof IpfsConnector, Fault>): IpfsConnector {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const fault = faults.get(prop as keyof IpfsConnector)
        if (fault?.kind === 'fail') return Promise.reject(new Error(fault.message))
        if (fault?.kind === 'hang') return new Promise(() => {})
        return value.apply(target, args)
      }
    },
  })
}

describe('pin tracker under IPFS faults (real embedded Helia)', () => {
  let dir: string
  let helia: HeliaConnector
  const faults = new Map<keyof IpfsConnector, Fault>()
  let tracker: StatelessPinTracker
  const pinset = new MemoryPinset()

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinmesh-faults-'))
    helia = await createHeliaConnector({ path: join(dir, 'ipfs') })
    await helia.start()
    tracker = new StatelessPinTracker(
      { retry_backoff_min: 50, retry_backoff_max: 200, pin_timeout: 300, pin_recover_interval: 0 },
      { ipfs: faulty(helia, faults), pinset, peerId: SELF, peername: 'self', logger },
    )
    await tracker.start()
    await tracker.reconciled()
  })

  afterAll(async () => {
    await tracker?.stop()
    await helia?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('a failing pin is retried, reports pin_error with the message, and pins after recover once the fault is gone', async () => {
    const cid = await helia.blockPut(new TextEncoder().encode(`fail ${Date.now()}`))
    faults.set('pin', { kind: 'fail', message: 'simulated: ipfs daemon unreachable' })
    await pinset.put(pinOf(cid))
    await waitFor(async () => (await tracker.status(cid)).attempt_count >= 3, { timeout: 10_000, message: 'three attempts (automatic retries)' })
    await waitFor(async () => (await tracker.status(cid)).status === 'pin_error', { timeout: 10_000, message: 'pin_error' })
    expect((await tracker.status(cid)).error).toBe('simulated: ipfs daemon unreachable')
    expect(await helia.pinLsCid(cid)).toBeUndefined()

    faults.delete('pin')
    const after = await tracker.recover(cid)
    expect(['pin_queued', 'pinning', 'pinned']).toContain(after.status)
    await waitFor(async () => (await tracker.status(cid)).status === 'pinned', { timeout: 10_000, message: 'pinned after recover' })
    expect(await helia.pinLsCid(cid)).toBe('recursive')
  })

  it('a hanging pin times out into pin_error and is retried; recover pins it once IPFS answers', async () => {
    const cid = await helia.blockPut(new TextEncoder().encode(`hang ${Date.now()}`))
    faults.set('pin', { kind: 'hang' })
    await pinset.put(pinOf(cid))
    await waitFor(async () => (await tracker.status(cid)).status === 'pin_error', { timeout: 10_000, message: 'pin_error after the inactivity timeout' })
    expect((await tracker.status(cid)).error).toBe('ipfs pin timed out: no progress for 300ms')
    await waitFor(async () => (await tracker.status(cid)).attempt_count >= 2, { timeout: 10_000, message: 'retried after the timeout' })

    faults.delete('pin')
    await tracker.recover(cid)
    await waitFor(async () => (await tracker.status(cid)).status === 'pinned', { timeout: 10_000, message: 'pinned after recover' })
    expect(await helia.pinLsCid(cid)).toBe('recursive')
  })

  it('when IPFS cannot say what it pins, status is cluster_error with the message; it heals by itself', async () => {
    const cid = await helia.blockPut(new TextEncoder().encode(`ls ${Date.now()}`))
    await pinset.put(pinOf(cid))
    await waitFor(async () => (await tracker.status(cid)).status === 'pinned', { timeout: 10_000, message: 'pinned' })
    faults.set('pinLsCid', { kind: 'fail', message: 'simulated: pin ls failed' })
    expect(await tracker.status(cid)).toMatchObject({ status: 'cluster_error', error: 'simulated: pin ls failed' })
    faults.delete('pinLsCid')
    expect((await tracker.status(cid)).status).toBe('pinned')
  })

  it('a failing unpin reports unpin_error and the content stays until recover succeeds', async () => {
    const cid = await helia.blockPut(new TextEncoder().encode(`unpin ${Date.now()}`))
    await pinset.put(pinOf(cid))
    await waitFor(async () => (await tracker.status(cid)).status === 'pinned', { timeout: 10_000, message: 'pinned' })
    faults.set('unpin', { kind: 'fail', message: 'simulated: unpin refused' })
    await pinset.remove(cid)
    await waitFor(async () => (await tracker.status(cid)).status === 'unpin_error', { timeout: 10_000, message: 'unpin_error' })
    expect((await tracker.status(cid)).error).toBe('simulated: unpin refused')
    expect(await helia.pinLsCid(cid)).toBe('recursive')
    faults.delete('unpin')
    await tracker.recover(cid)
    await waitFor(async () => (await tracker.status(cid)).status === 'unpinned', { timeout: 10_000, message: 'unpinned' })
    expect(await helia.pinLsCid(cid)).toBeUndefined()
  })
})
