/**
 * The IPFS proxy of a real `pinmesh daemon` driving a real Kubo, used through kubo-rpc-client
 * exactly as an application would use Kubo: pin add/ls/rm/update, add, repo stat/gc and
 * block/put become cluster operations; everything else (version, cat, dag export, …) reaches
 * Kubo unchanged. A peer with the embedded node answers what it can and refuses the rest
 * clearly. (One peer: pins made through the proxy being visible on other peers needs cluster
 * membership, which arrives with the cluster branch.)
 */
import { createHash } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { decodeGlobalPinInfo, parseJson } from '@pinmesh/interface'
import { create, type KuboRPCClient } from 'kubo-rpc-client'
import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KuboProcess, kuboBinary, reportMissingKubo, startKubo } from '../helpers/kubo.js'
import { type PeerProcess, startPeer } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

const bin = kuboBinary()
const enc = new TextEncoder()

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

async function peerStatus(peer: PeerProcess, cid: string): Promise<string[]> {
  const info = decodeGlobalPinInfo(parseJson(await (await fetch(`${peer.api}/pins/${cid}`)).text()))
  return Object.values(info.peer_map).map((p) => p.status)
}

if (bin === undefined) {
  describe('IPFS proxy in front of Kubo', () => {
    it('needs a Kubo binary', () => {
      if (reportMissingKubo('test/system/ipfs-proxy.spec.ts')) expect.fail('no Kubo binary under CI: the proxy tests did not run')
    })
  })
} else {
  describe('IPFS proxy in front of Kubo (kubo-rpc-client → pinmesh proxy → Kubo)', () => {
    let kubo: KuboProcess
    let peer: PeerProcess
    let proxy: KuboRPCClient
    let direct: KuboRPCClient
    const salt = `${process.pid}-${Date.now()}`

    beforeAll(async () => {
      kubo = await startKubo({ bin })
      peer = await startPeer({ env: { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiAddr } })
      proxy = create({ url: peer.proxy })
      direct = create({ url: kubo.url })
    })

    afterAll(async () => {
      await peer?.kill()
      await kubo?.destroy()
      if (peer) await rm(peer.dir, { recursive: true, force: true })
    })

    it('forwards what it does not hijack: version, id, cat', async () => {
      const [viaProxy, viaKubo] = await Promise.all([proxy.version(), direct.version()])
      expect(viaProxy.version).toBe(viaKubo.version)
      expect((await proxy.id()).id.toString()).toBe((await direct.id()).id.toString())
      const { cid } = await direct.add(enc.encode(`cat me ${salt}`), { pin: false })
      const bytes = Buffer.concat(await collect(proxy.cat(cid)))
      expect(bytes.toString()).toBe(`cat me ${salt}`)
    })

    it('relays large bodies intact both ways (the relay collects its Buffers young every 8 MiB)', async () => {
      // 24 MiB of distinct bytes: several young-generation collections during each transfer
      const size = 24 << 20
      const content = new Uint8Array(size)
      for (let off = 0; off < size; off += 65_536) crypto.getRandomValues(content.subarray(off, off + 65_536))
      const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
      // upload through the proxy to a forwarded endpoint (MFS files/write is Kubo's own)
      await proxy.files.write(`/relay-${salt}`, content, { create: true })
      expect(digest(Buffer.concat(await collect(direct.files.read(`/relay-${salt}`))))).toBe(digest(content))
      // download through the proxy (cat is forwarded, streamed)
      const { cid } = await direct.add(content, { pin: false })
      const bytes = Buffer.concat(await collect(proxy.cat(cid)))
      expect(bytes.length).toBe(size)
      expect(digest(bytes)).toBe(digest(content))
    })

    it('pin add creates a cluster pin that ends up pinned in Kubo; pin ls answers from the pinset', async () => {
      const { cid } = await direct.add(enc.encode(`pin me ${salt}`), { pin: false })
      const pinned = await collect(proxy.pin.addAll([{ cid }]))
      expect(pinned.map(String)).toEqual([cid.toString()])
      await waitFor(async () => (await peerStatus(peer, cid.toString())).every((s) => s === 'pinned'), {
        timeout: 20_000,
        message: 'the proxy pin to be pinned',
      })
      expect((await collect(direct.pin.ls({ paths: [cid] })))[0]?.type).toBe('recursive')
      const listed = await collect(proxy.pin.ls())
      expect(listed.map((p) => p.cid.toString())).toContain(cid.toString())
      const one = await collect(proxy.pin.ls({ paths: [cid] }))
      expect(one).toEqual([{ cid, type: 'recursive' }])
    })

    it('pin rm removes the cluster pin and Kubo unpins', async () => {
      const { cid } = await direct.add(enc.encode(`unpin me ${salt}`), { pin: false })
      await proxy.pin.add(cid)
      await waitFor(async () => (await collect(direct.pin.ls({ paths: [cid] })).catch(() => [])).length > 0, { timeout: 20_000, message: 'pinned in kubo' })
      await proxy.pin.rm(cid)
      await expect(collect(proxy.pin.ls({ paths: [cid] }))).rejects.toThrow(/is not pinned/)
      await waitFor(async () => (await collect(direct.pin.ls({ paths: [cid] })).catch(() => [])).length === 0, { timeout: 20_000, message: 'unpinned in kubo' })
    })

    it('pin update pins the new CID and unpins the old one through the cluster', async () => {
      const a = (await direct.add(enc.encode(`v1 ${salt}`), { pin: false })).cid
      const b = (await direct.add(enc.encode(`v2 ${salt}`), { pin: false })).cid
      await proxy.pin.add(a)
      const res = await proxy.pin.update(a, b)
      expect(res.map(String)).toEqual([a.toString(), b.toString()])
      const listed = (await collect(proxy.pin.ls())).map((p) => p.cid.toString())
      expect(listed).toContain(b.toString())
      expect(listed).not.toContain(a.toString())
    })

    it('add stores content in Kubo and pins it through the cluster, with Kubo-style output', async () => {
      const added = await proxy.add({ path: 'hello.txt', content: enc.encode('hello world\n') })
      expect(added.cid.toString()).toBe('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o')
      expect(added.path).toBe('hello.txt')
      expect(added.size).toBe(20)
      await waitFor(async () => (await peerStatus(peer, added.cid.toString())).every((s) => s === 'pinned'), {
        timeout: 20_000,
        message: 'added content pinned',
      })
      const unpinned = await proxy.add(enc.encode(`no pin ${salt}`), { pin: false })
      expect((await collect(proxy.pin.ls())).map((p) => p.cid.toString())).not.toContain(unpinned.cid.toString())
    })

    it('block put with pin=true creates a cluster pin', async () => {
      const cid = await proxy.block.put(enc.encode(`block ${salt}`), { pin: true })
      expect((await collect(proxy.pin.ls({ paths: [cid] })))[0]?.cid.toString()).toBe(cid.toString())
    })

    it('repo stat and repo gc answer as cluster operations', async () => {
      const stat = await proxy.repo.stat()
      const kuboStat = await direct.repo.stat()
      expect(Number(stat.repoSize)).toBeGreaterThan(0)
      expect(Number(stat.storageMax)).toBe(Number(kuboStat.storageMax))
      const loose = await direct.block.put(enc.encode(`garbage ${salt}`))
      const removed = await collect(proxy.repo.gc())
      expect(removed.map((r) => r.cid?.toString())).toContain(CID.createV1(0x55, loose.multihash).toString())
    })

    it('answers errors the Kubo way and keeps running', async () => {
      const res = await fetch(`${peer.proxy}/api/v0/pin/add?arg=not-a-cid`, { method: 'POST' })
      expect(res.status).toBe(500)
      const body = (await res.json()) as { Message: string; Type: string }
      expect(body.Type).toBe('error')
      expect(body.Message).toContain('Error parsing IPFS Path')
      const missing = await fetch(`${peer.proxy}/api/v0/pin/update?arg=QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o`, { method: 'POST' })
      expect(missing.status).toBe(400)
      expect(((await missing.json()) as { Message: string }).Message).toBe('argument "to-path" is required')
      expect((await proxy.version()).version).toBeTruthy()
    })
  })
}

describe('IPFS proxy of a peer with the embedded node', () => {
  let peer: PeerProcess
  let proxy: KuboRPCClient

  beforeAll(async () => {
    peer = await startPeer()
    proxy = create({ url: peer.proxy })
  })

  afterAll(async () => {
    await peer?.kill()
    if (peer) await rm(peer.dir, { recursive: true, force: true })
  })

  it('answers version, add, pin and block put itself, and refuses what needs Kubo', async () => {
    expect((await proxy.version()).version).toMatch(/^pinmesh-embedded/)
    const added = await proxy.add({ path: 'e.txt', content: enc.encode('hello world\n') })
    expect(added.cid.toString()).toBe('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o')
    await waitFor(async () => (await peerStatus(peer, added.cid.toString())).every((s) => s === 'pinned'), {
      timeout: 20_000,
      message: 'pinned in embedded node',
    })
    const block = await proxy.block.put(enc.encode(`embedded block ${Date.now()}`), { pin: true })
    expect((await collect(proxy.pin.ls({ paths: [block] })))[0]?.cid.toString()).toBe(block.toString())
    const refused = await fetch(`${peer.proxy}/api/v0/swarm/peers`, { method: 'POST' })
    expect(refused.status).toBe(404)
    expect(((await refused.json()) as { Message: string }).Message).toContain('embedded IPFS node')
  })
})
