/**
 * The tracker's batching against a REAL Kubo (through the Kubo connector, with a recording proxy
 * in front of Kubo to see the requests): a burst of pins reaches Kubo in fewer `pin/add`
 * requests than CIDs, every CID ends up pinned in Kubo, and a CID Kubo cannot pin ends in
 * `pin_error` with Kubo's own message while the pins batched with it are pinned.
 */
import { createKuboConnector, type KuboConnector } from '@pinmesh/ipfs-connector'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KuboProcess, kuboBinary, reportMissingKubo, startKubo } from '../../../test/helpers/kubo.js'
import { type RecordingProxy, startRecordingProxy } from '../../../test/helpers/recording-proxy.js'
import { waitFor } from '../../../test/helpers/wait.js'
import { StatelessPinTracker } from '../src/index.js'
import { logger, MemoryPinset, pinOf, SELF } from './fakes.js'

const bin = kuboBinary()

describe('pin tracker batching with a real Kubo', () => {
  let kubo: KuboProcess
  let proxy: RecordingProxy
  let ipfs: KuboConnector
  let tracker: StatelessPinTracker
  const pinset = new MemoryPinset()

  beforeAll(async () => {
    if (bin === undefined) return
    kubo = await startKubo({ bin })
    proxy = await startRecordingProxy(kubo.url)
    ipfs = createKuboConnector({ node_multiaddress: proxy.multiaddr })
    tracker = new StatelessPinTracker(
      { concurrent_pins: 2, pin_batch_size: 16, retry_backoff_min: 60_000, retry_backoff_max: 60_000, pin_recover_interval: 0 },
      { ipfs, pinset, peerId: SELF, peername: 'self', logger },
    )
    await tracker.start()
    await tracker.reconciled()
  }, 60_000)

  afterAll(async () => {
    await tracker?.stop()
    await ipfs?.stop()
    await proxy?.close()
    await kubo?.destroy()
  })

  it('pins a burst in batched pin/add requests; a CID Kubo cannot pin reports its own error', async () => {
    if (bin === undefined) {
      if (reportMissingKubo('packages/pintracker kubo-batching.spec.ts')) expect.fail('no Kubo binary under CI')
      return
    }
    const salt = `${process.pid}-${Date.now()}`
    const good: string[] = []
    for (let i = 0; i < 150; i++) good.push(await ipfs.blockPut(new TextEncoder().encode(`burst ${i} ${salt}`)))
    const form = new FormData()
    form.append('file', new Blob([`not a protobuf \xff\xff ${salt}`]))
    const res = await fetch(`${kubo.url}/api/v0/block/put?cid-codec=dag-pb&pin=false`, { method: 'POST', body: form })
    const bad = ((await res.json()) as { Key: string }).Key
    const all = [...good.slice(0, 75), bad, ...good.slice(75)]
    proxy.requests.length = 0

    for (const cid of all) await pinset.put(pinOf(cid))

    await waitFor(async () => (await tracker.status(bad)).status === 'pin_error', { timeout: 60_000, message: 'the undecodable CID in pin_error' })
    expect((await tracker.status(bad)).error).toMatch(/protobuf/)
    await waitFor(async () => (await Promise.all(good.map((cid) => tracker.status(cid)))).every((s) => s.status === 'pinned'), {
      timeout: 60_000,
      message: 'every good CID pinned',
    })
    for (const cid of good) expect(await ipfs.pinLsCid(cid)).toBe('recursive')
    expect(await ipfs.pinLsCid(bad)).toBeUndefined()

    const pinAdds = proxy.calls('pin/add')
    expect(pinAdds.length).toBeLessThan(all.length)
    expect(Math.max(...pinAdds.map((r) => r.query.getAll('arg').length))).toBeGreaterThan(1)
    expect(Math.max(...pinAdds.map((r) => r.query.getAll('arg').length))).toBeLessThanOrEqual(16)
    // the failing CID was sent alone once its batch failed, and only it is in error
    expect(pinAdds.some((r) => r.query.getAll('arg').length === 1 && r.query.get('arg') === bad)).toBe(true)
  }, 120_000)
})
