/**
 * The compliance suite against the Kubo connector and a real Kubo daemon (one per node, own
 * repository, free ports), plus what only Kubo has: an unreachable daemon. Without a Kubo
 * binary this says loudly that it did not run, and fails under CI.
 */
import { IpfsError } from '@pinmesh/interface'
import { describe, expect, it } from 'vitest'
import { kuboBinary, reportMissingKubo, startKubo } from '../../../test/helpers/kubo.js'
import { freePort } from '../../../test/helpers/ports.js'
import { startRecordingProxy } from '../../../test/helpers/recording-proxy.js'
import { createKuboConnector } from '../src/index.js'
import { connectorCompliance } from './compliance.js'

const bin = kuboBinary()

if (bin === undefined) {
  describe('IpfsConnector compliance: kubo', () => {
    it('needs a Kubo binary', () => {
      if (reportMissingKubo('packages/ipfs-connector kubo.spec.ts')) expect.fail('no Kubo binary under CI: the Kubo suite did not run')
    })
  })
} else {
  connectorCompliance('kubo', async (options = {}) => {
    const kubo = await startKubo({ bin })
    const connector = createKuboConnector({ node_multiaddress: kubo.apiAddr, ...(options.pinTimeout ? { pin_timeout: options.pinTimeout } : {}) })
    let destroyed: Promise<void> | undefined
    return {
      connector,
      destroy() {
        destroyed ??= (async () => {
          await connector.stop()
          await kubo.destroy()
        })()
        return destroyed
      },
    }
  })

  describe('kubo connector: what it asks Kubo (seen through a recording proxy)', () => {
    const enc = new TextEncoder()
    const salt = `${process.pid}-${Date.now()}`

    async function setup() {
      const kubo = await startKubo({ bin: bin as string })
      const proxy = await startRecordingProxy(kubo.url)
      const ipfs = createKuboConnector({ node_multiaddress: proxy.multiaddr })
      return {
        kubo,
        proxy,
        ipfs,
        async destroy() {
          await ipfs.stop()
          await proxy.close()
          await kubo.destroy()
        },
      }
    }

    /** A dag-pb block Kubo stores but cannot decode: pinning it fails at once. */
    async function undecodable(url: string): Promise<string> {
      const form = new FormData()
      form.append('file', new Blob([`not a protobuf \xff\xff ${salt}`]))
      const res = await fetch(`${url}/api/v0/block/put?cid-codec=dag-pb&pin=false`, { method: 'POST', body: form })
      return ((await res.json()) as { Key: string }).Key
    }

    it('pinMany pins several CIDs in one pin/add request; a CID Kubo cannot pin fails the call with its message', async () => {
      const { kubo, proxy, ipfs, destroy } = await setup()
      try {
        const cids = await Promise.all([0, 1, 2, 3, 4].map((i) => ipfs.blockPut(enc.encode(`many ${i} ${salt}`))))
        await ipfs.pinMany(cids)
        expect(proxy.calls('pin/add').map((r) => r.query.getAll('arg'))).toEqual([cids])
        for (const cid of cids) expect(await ipfs.pinLsCid(cid)).toBe('recursive')

        const good = await ipfs.blockPut(enc.encode(`good ${salt}`))
        const bad = await undecodable(kubo.url)
        const err = await ipfs.pinMany([good, bad]).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(IpfsError)
        expect((err as Error).message).toMatch(/protobuf/)
        // alone, each one gets its own answer
        await ipfs.pin(good)
        expect(await ipfs.pinLsCid(good)).toBe('recursive')
        await expect(ipfs.pin(bad)).rejects.toThrow(/protobuf/)
      } finally {
        await destroy()
      }
    })

    it('a root just added with pin=true is confirmed with pin ls, not pinned again (Kubo would re-walk the DAG)', async () => {
      const { proxy, ipfs, destroy } = await setup()
      try {
        const content = async function* () {
          yield enc.encode(`added ${salt}`.repeat(50_000))
        }
        const entries = (async function* () {
          yield { path: 'a.txt', content: content() }
        })()
        const out = []
        for await (const o of ipfs.add(entries, { pin: true })) out.push(o)
        const root = out.at(-1)?.cid as string
        await ipfs.pin(root)
        expect(proxy.calls('pin/add')).toEqual([])
        expect(proxy.calls('pin/ls').map((r) => r.query.get('arg'))).toEqual([root])
        expect(await ipfs.pinLsCid(root)).toBe('recursive')

        // the memory is a hint, checked each time: unpinned behind the connector's back, it pins
        const again = (async function* () {
          yield { path: 'b.txt', content: enc.encode(`again ${salt}`) }
        })()
        let second = ''
        for await (const o of ipfs.add(again, { pin: true })) second = o.cid
        await ipfs.unpin(second)
        await ipfs.pin(second)
        expect(proxy.calls('pin/add').map((r) => r.query.get('arg'))).toEqual([second])
        expect(await ipfs.pinLsCid(second)).toBe('recursive')
      } finally {
        await destroy()
      }
    })
  })

  describe('kubo connector with Kubo down', () => {
    it('fails every call with an IpfsError naming the node, quickly', async () => {
      const port = await freePort()
      const ipfs = createKuboConnector({ node_multiaddress: `/ip4/127.0.0.1/tcp/${port}` })
      for (const call of [() => ipfs.id(), () => ipfs.pin('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'), () => ipfs.repoStat()]) {
        const err = await call().catch((e: unknown) => e)
        expect(err).toBeInstanceOf(IpfsError)
        expect((err as Error).message).toContain(`127.0.0.1:${port} is unreachable`)
      }
      await ipfs.stop()
    })
  })
}
