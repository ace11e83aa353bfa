/**
 * The IPFS proxy's Kubo headers and stream errors, against a real Kubo configured with
 * `API.HTTPHeaders` and real `pinmesh daemon`s:
 * - peer A copies Kubo's CORS answer and the extracted headers (plus `extract_headers_extra`,
 *   set with `CLUSTER_IPFSPROXY_EXTRACTHEADERSEXTRA`) onto hijacked responses;
 * - peer B is alone with `replication_factor_min` 2, so the cluster refuses every pin: an
 *   `add` or `block/put?pin=true` through its proxy fails after output was streamed, and the
 *   failure arrives in the `X-Stream-Error` trailer — which Kubo's own `ipfs` CLI reports.
 */
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { create } from 'kubo-rpc-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KuboProcess, kuboBinary, reportMissingKubo, startKubo } from '../helpers/kubo.js'
import { collectBytes, multipartUpload } from '../helpers/multipart.js'
import { type PeerProcess, startPeer, tempDir } from '../helpers/peer.js'
import { lines, wire } from './api-wire.js'

const bin = kuboBinary()
const ORIGIN = 'https://example.test'

/** A Kubo-style multipart upload of small files, as one buffer (for `wire`). */
async function multipart(files: { name: string; content: string }[]): Promise<{ body: Buffer; contentType: string }> {
  const { body, contentType } = multipartUpload(files.map((f) => ({ path: f.name, content: f.content })))
  return { body: Buffer.from(await collectBytes(body as unknown as AsyncIterable<Uint8Array>)), contentType }
}

if (bin === undefined) {
  describe('IPFS proxy headers and stream errors', () => {
    it('needs a Kubo binary', () => {
      if (reportMissingKubo('test/system/ipfs-proxy-headers.spec.ts')) expect.fail('no Kubo binary under CI: the proxy header tests did not run')
    })
  })
} else {
  describe('IPFS proxy headers and stream errors (real Kubo with API.HTTPHeaders)', () => {
    let kubo: KuboProcess
    let a: PeerProcess
    let b: PeerProcess
    let dir: string
    const salt = `${process.pid}-${Date.now()}`
    const kuboEnv = () => ({ CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiAddr, CLUSTER_IPFSHTTP_CONNECTSWARMSDELAY: '0s' })

    beforeAll(async () => {
      dir = await tempDir('pinmesh-proxy-headers-')
      kubo = await startKubo({ bin })
      await kubo.stop()
      await kubo.cli(['config', '--json', 'API.HTTPHeaders', JSON.stringify({ 'Access-Control-Allow-Origin': [ORIGIN], 'X-Pinmesh-Test': [`kubo-${salt}`] })])
      await kubo.restart()
      ;[a, b] = await Promise.all([
        startPeer({ env: { ...kuboEnv(), CLUSTER_IPFSPROXY_EXTRACTHEADERSEXTRA: 'X-Pinmesh-Test' } }),
        startPeer({ env: { ...kuboEnv(), CLUSTER_REPLICATIONFACTORMIN: '2', CLUSTER_REPLICATIONFACTORMAX: '2' } }),
      ])
    }, 120_000)

    afterAll(async () => {
      await Promise.all([a?.kill(), b?.kill()])
      await kubo?.destroy()
      await Promise.all([a, b].filter((p) => p !== undefined).map((p) => rm(p.dir, { recursive: true, force: true })))
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it("a hijacked pin/add carries Kubo's CORS answer for the origin, the extracted headers and the proxy's Server", async () => {
      const direct = create({ url: kubo.url })
      const { cid } = await direct.add(`cors ${salt}`, { pin: false })
      const kuboAnswer = await wire('POST', `${kubo.url}/api/v0/version`, { headers: { Origin: ORIGIN } })
      const res = await wire('POST', `${a.proxy}/api/v0/pin/add?arg=${cid}`, { headers: { Origin: ORIGIN } })
      expect(res.status).toBe(200)
      expect(JSON.parse(res.body)).toEqual({ Pins: [cid.toString()] })
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
      expect(String(res.headers.vary)).toContain('Origin')
      expect(res.headers['access-control-expose-headers']).toBe(kuboAnswer.headers['access-control-expose-headers'])
      expect(res.headers['x-pinmesh-test']).toBe(`kubo-${salt}`)
      expect(res.headers.server).toMatch(/^ipfs-cluster\/ipfsproxy\//)

      const other = await wire('POST', `${a.proxy}/api/v0/pin/ls?arg=${cid}`, { headers: { Origin: 'https://other.test' } })
      expect(other.status).toBe(200)
      expect(other.headers['access-control-allow-origin']).toBeUndefined()
      expect(other.headers['x-pinmesh-test']).toBe(`kubo-${salt}`)

      // peer B has no extract_headers_extra: only the default extracted header
      const plain = await wire('POST', `${b.proxy}/api/v0/pin/ls`, { headers: { Origin: ORIGIN } })
      expect(plain.headers['access-control-allow-origin']).toBe(ORIGIN)
      expect(plain.headers['x-pinmesh-test']).toBeUndefined()
    })

    it('a streamed add through the proxy carries them too; a forwarded request keeps Kubo’s own headers', async () => {
      const { body, contentType } = await multipart([{ name: 'h.txt', content: `headers ${salt}` }])
      const added = await wire('POST', `${a.proxy}/api/v0/add`, { headers: { Origin: ORIGIN, 'Content-Type': contentType }, body })
      expect(added.status).toBe(200)
      expect((lines(added.body)[0] as { Name: string }).Name).toBe('h.txt')
      expect(added.headers['access-control-allow-origin']).toBe(ORIGIN)
      expect(added.headers['x-pinmesh-test']).toBe(`kubo-${salt}`)
      expect(added.headers.trailer).toBe('X-Stream-Error')
      expect(added.trailers['x-stream-error'] ?? '').toBe('')

      const forwarded = await wire('POST', `${a.proxy}/api/v0/version`, { headers: { Origin: ORIGIN } })
      expect(forwarded.headers.server).toMatch(/^kubo\//)
      expect(forwarded.headers['access-control-allow-origin']).toBe(ORIGIN)
    })

    it('an add the cluster refuses after streaming the file ends with the X-Stream-Error trailer', async () => {
      const { body, contentType } = await multipart([{ name: 'refused.txt', content: `refused ${salt}` }])
      const res = await wire('POST', `${b.proxy}/api/v0/add?wrap-with-directory=true`, { headers: { 'Content-Type': contentType }, body })
      expect(res.status).toBe(200)
      expect(res.headers.trailer).toBe('X-Stream-Error')
      expect(lines(res.body).map((l) => (l as { Name: string }).Name)).toEqual(['refused.txt'])
      expect(res.trailers['x-stream-error']).toMatch(/not enough peers to allocate/)
    })

    it("Kubo's ipfs CLI reports the trailer's error and exits non-zero", async () => {
      const file = join(dir, `cli-${salt}.txt`)
      await writeFile(file, `cli ${salt}`)
      const api = `/ip4/127.0.0.1/tcp/${b.proxyPort}`
      await expect(kubo.cli(['--api', api, 'add', '-w', file])).rejects.toThrow(/not enough peers to allocate/)
      // the same command through peer A succeeds: the failure above is the cluster's refusal
      const ok = await kubo.cli(['--api', `/ip4/127.0.0.1/tcp/${a.proxyPort}`, 'add', '-w', '-Q', file])
      expect(ok.trim()).toMatch(/^Qm/)
    })

    it('block/put?pin=true: the block is stored and echoed, the refused pin is in the trailer', async () => {
      const { body, contentType } = await multipart([{ name: 'block', content: `block ${salt}` }])
      const res = await wire('POST', `${b.proxy}/api/v0/block/put?pin=true`, { headers: { 'Content-Type': contentType }, body })
      expect(res.status).toBe(200)
      const [echo] = lines(res.body) as { Key: string; Size: number }[]
      expect(echo?.Size).toBe(`block ${salt}`.length)
      expect(res.trailers['x-stream-error']).toMatch(new RegExp(`^${echo?.Key}: not enough peers to allocate`))
      expect((await kubo.cli(['block', 'stat', echo?.Key as string])).length).toBeGreaterThan(0)
    })
  })
}
