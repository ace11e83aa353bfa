/**
 * The `IpfsConnector` compliance suite. Every implementation runs it against a real node (a
 * real Kubo daemon, a real embedded Helia): `connectorCompliance('kubo', createNode)`.
 * `createNode` is called once for the suite's main node and once more for a second node in
 * the network test; each node is torn down by its `destroy()`.
 */
import { CarWriter } from '@ipld/car/writer'
import * as dagPb from '@ipld/dag-pb'
import type { IpfsAddEntry, IpfsConnector } from '@pinmesh/interface'
import { InvalidArgumentError, InvalidCidError, IpfsError } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

export interface ConnectorNode {
  connector: IpfsConnector
  destroy(): Promise<void>
}

export interface NodeOptions {
  /** Inactivity timeout for pins, in ms. */
  pinTimeout?: number
}

export type CreateNode = (options?: NodeOptions) => Promise<ConnectorNode>

const enc = new TextEncoder()

/** Deterministic pseudo-random bytes (xorshift), so CIDs are reproducible and not compressible. */
export function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

export async function rawCid(bytes: Uint8Array): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(bytes)).toString()
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

async function* entries(list: IpfsAddEntry[]): AsyncIterable<IpfsAddEntry> {
  yield* list
}

async function* chunked(bytes: Uint8Array, size = 65_536): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function carOf(blocks: { cid: CID; bytes: Uint8Array }[], root: CID): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create([root])
  const parts: Uint8Array[] = []
  const reading = (async () => {
    for await (const p of out) parts.push(p)
  })()
  for (const b of blocks) await writer.put(b)
  await writer.close()
  await reading
  return Buffer.concat(parts)
}

export function connectorCompliance(name: string, createNode: CreateNode): void {
  describe(`IpfsConnector compliance: ${name}`, () => {
    let node: ConnectorNode
    let ipfs: IpfsConnector
    // Unique content per run so nothing is accidentally present already.
    const salt = `${name}-${process.pid}-${Date.now()}`

    beforeAll(async () => {
      node = await createNode({ pinTimeout: 1_500 })
      ipfs = node.connector
    }, 120_000)

    afterAll(async () => {
      await node?.destroy()
    }, 60_000)

    it('id names the node and its addresses', async () => {
      const id = await ipfs.id()
      expect(id.id).toMatch(/^(12D3KooW|Qm)/)
      expect(id.addresses.length).toBeGreaterThan(0)
      expect(id.addresses.some((a) => a.includes(`/p2p/${id.id}`))).toBe(true)
    })

    it('block put/get round-trips a raw block under its sha2-256 CIDv1', async () => {
      const bytes = enc.encode(`block ${salt}`)
      const cid = await ipfs.blockPut(bytes)
      expect(cid).toBe(await rawCid(bytes))
      expect(Buffer.from(await ipfs.blockGet(cid)).equals(Buffer.from(bytes))).toBe(true)
    })

    it('rejects an undecodable CID with InvalidCidError', async () => {
      await expect(ipfs.pin('not-a-cid')).rejects.toBeInstanceOf(InvalidCidError)
      await expect(ipfs.unpin('not-a-cid')).rejects.toBeInstanceOf(InvalidCidError)
    })

    it('pins recursively and directly, lists the types, and pinning again is a no-op', async () => {
      const a = await ipfs.blockPut(enc.encode(`recursive ${salt}`))
      const b = await ipfs.blockPut(enc.encode(`direct ${salt}`))
      expect(await ipfs.pinLsCid(a)).toBeUndefined()
      await ipfs.pin(a)
      await ipfs.pin(b, { maxDepth: 0 })
      await ipfs.pin(a)
      expect(await ipfs.pinLsCid(a)).toBe('recursive')
      expect(await ipfs.pinLsCid(b)).toBe('direct')
      const all = await collect(ipfs.pinLs())
      expect(all).toContainEqual({ cid: a, type: 'recursive' })
      expect(all).toContainEqual({ cid: b, type: 'direct' })
    })

    it('unpins; unpinning something not pinned succeeds', async () => {
      const a = await ipfs.blockPut(enc.encode(`unpin ${salt}`))
      await ipfs.pin(a)
      await ipfs.unpin(a)
      expect(await ipfs.pinLsCid(a)).toBeUndefined()
      await ipfs.unpin(a)
      await ipfs.unpin(await rawCid(enc.encode(`never added ${salt}`)))
      expect((await collect(ipfs.pinLs())).some((p) => p.cid === a)).toBe(false)
    })

    it('reports pin progress while pinning a multi-block DAG', async () => {
      const [file] = await collect(ipfs.add(entries([{ path: 'big.bin', content: chunked(randomBytes(1_000_000, 7)) }])))
      expect(file?.cid).toMatch(/^Qm/)
      const seen: number[] = []
      await ipfs.pin(file?.cid as string, { onProgress: (p) => seen.push(p.blocks) })
      expect(await ipfs.pinLsCid(file?.cid as string)).toBe('recursive')
      expect(seen.length).toBeGreaterThan(0)
      // a block inside the pinned DAG is pinned only indirectly: not pinned itself
      const root = dagPb.decode(await ipfs.blockGet(file?.cid as string))
      expect(await ipfs.pinLsCid(root.Links[0]?.Hash.toString() as string)).toBeUndefined()
      expect(Math.max(...seen)).toBeGreaterThanOrEqual(4)
    })

    it('adds with Kubo defaults: known CIDs for an empty file and "hello world\\n"', async () => {
      const out = await collect(
        ipfs.add(
          entries([
            { path: 'empty', content: new Uint8Array(0) },
            { path: 'hello', content: enc.encode('hello world\n') },
          ]),
        ),
      )
      expect(out.map((o) => [o.path, o.cid])).toEqual([
        ['empty', 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH'],
        ['hello', 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'],
      ])
      expect(out[1]?.size).toBe(20)
    })

    it('adds a directory with wrap-with-directory and resolves paths inside it', async () => {
      const progress: [string, number][] = []
      const out = await collect(
        ipfs.add(
          entries([
            { path: 'site' },
            { path: 'site/index.html', content: enc.encode(`<h1>${salt}</h1>`) },
            { path: 'site/a/b.txt', content: chunked(randomBytes(300_000, 3)) },
          ]),
          { wrapWithDirectory: true, onProgress: (n, b) => progress.push([n, b]) },
        ),
      )
      const paths = out.map((o) => o.path)
      expect(paths).toContain('site/index.html')
      expect(paths).toContain('site/a/b.txt')
      expect(paths).toContain('site')
      expect(paths.at(-1)).toBe('')
      const root = out.at(-1)?.cid as string
      const file = out.find((o) => o.path === 'site/a/b.txt')?.cid
      expect(await ipfs.resolve?.(`/ipfs/${root}/site/a/b.txt`)).toBe(file)
      expect(progress.some(([n, b]) => n.endsWith('b.txt') && b === 300_000)).toBe(true)
    })

    it('adds with CIDv1 (raw leaves implied) and with trickle layout', async () => {
      const bytes = randomBytes(600_000, 11)
      const [v1] = await collect(ipfs.add(entries([{ path: 'f', content: chunked(bytes) }]), { cidVersion: 1 }))
      expect(v1?.cid).toMatch(/^bafy/)
      const [small] = await collect(ipfs.add(entries([{ path: 's', content: enc.encode('tiny') }]), { cidVersion: 1 }))
      expect(small?.cid).toBe(await rawCid(enc.encode('tiny')))
      const [tr] = await collect(ipfs.add(entries([{ path: 't', content: chunked(bytes) }]), { trickle: true, chunker: 'size-1024' }))
      const [bal] = await collect(ipfs.add(entries([{ path: 'b', content: chunked(bytes) }]), { chunker: 'size-1024' }))
      expect(tr?.cid).not.toBe(bal?.cid)
    })

    it('imports a CAR without pinning and reports roots, blocks and bytes', async () => {
      const leaf = enc.encode(`car leaf ${salt}`)
      const leafCid = CID.createV1(raw.code, await sha256.digest(leaf))
      const rootBytes = dagPb.encode({ Links: [{ Hash: leafCid, Name: 'leaf', Tsize: leaf.length }] })
      const root = CID.createV1(dagPb.code, await sha256.digest(rootBytes))
      const car = await carOf(
        [
          { cid: root, bytes: rootBytes },
          { cid: leafCid, bytes: leaf },
        ],
        root,
      )
      const result = await ipfs.dagImport?.(chunked(car, 7))
      expect(result).toEqual({ roots: [root.toString()], blocks: 2, bytes: rootBytes.length + leaf.length })
      expect(await ipfs.pinLsCid(root.toString())).toBeUndefined()
      expect(Buffer.from(await ipfs.blockGet(leafCid.toString())).toString()).toBe(`car leaf ${salt}`)
      await expect(ipfs.dagImport?.(chunked(enc.encode('this is not a car file at all')))).rejects.toBeInstanceOf(InvalidArgumentError)
    })

    it('repo stat reports real figures that grow with content', async () => {
      const before = await ipfs.repoStat()
      expect(before.repoSize).toBeGreaterThan(0)
      expect(before.storageMax).toBeGreaterThanOrEqual(before.repoSize)
      await ipfs.blockPut(randomBytes(200_000, 99))
      await expect.poll(async () => (await ipfs.repoStat()).repoSize, { timeout: 15_000, interval: 500 }).toBeGreaterThanOrEqual(before.repoSize + 150_000)
    })

    it('repo gc removes unpinned blocks and keeps pinned ones', async () => {
      const keep = await ipfs.blockPut(enc.encode(`keep ${salt}`))
      const drop = await ipfs.blockPut(enc.encode(`drop ${salt}`))
      await ipfs.pin(keep)
      const removed = await collect(ipfs.repoGc())
      // keys name blocks by multihash (Kubo reports CIDv1 raw): compare multihashes
      const mh = (cid: string) => Buffer.from(CID.parse(cid).multihash.bytes).toString('hex')
      const keys = removed.flatMap((k) => (k.key === null ? [] : [mh(k.key)]))
      expect(keys).toContain(mh(drop))
      expect(keys).not.toContain(mh(keep))
      expect(Buffer.from(await ipfs.blockGet(keep)).toString()).toBe(`keep ${salt}`)
      await expect(ipfs.blockGet(drop, { signal: AbortSignal.timeout(1_000) })).rejects.toBeInstanceOf(IpfsError)
    })

    it('a pin of content nobody provides fails after the inactivity timeout, and an abort stops it', async () => {
      const missing = await rawCid(enc.encode(`nobody has this ${salt}`))
      const started = Date.now()
      await expect(ipfs.pin(missing)).rejects.toBeInstanceOf(IpfsError)
      expect(Date.now() - started).toBeLessThan(30_000)
      await expect(ipfs.pin(missing, { signal: AbortSignal.timeout(300) })).rejects.toBeInstanceOf(IpfsError)
      expect(await ipfs.pinLsCid(missing)).toBeUndefined()
    })

    it('swarm connect to an address nobody listens on fails with IpfsError', async () => {
      const id = await ipfs.id()
      await expect(ipfs.swarmConnect(`/ip4/127.0.0.1/tcp/1/p2p/${id.id}`, { signal: AbortSignal.timeout(5_000) })).rejects.toBeInstanceOf(IpfsError)
    })

    it('pins content only another node holds, fetched over the network after swarm connect', async () => {
      const other = await createNode({ pinTimeout: 20_000 })
      try {
        const bytes = randomBytes(700_000, 42 + (Date.now() % 1000))
        const [file] = await collect(other.connector.add(entries([{ path: 'remote.bin', content: chunked(bytes) }])))
        const cid = file?.cid as string
        expect(await ipfs.pinLsCid(cid)).toBeUndefined()
        const otherId = await other.connector.id()
        const addr = otherId.addresses.find((a) => a.includes('/127.0.0.1/')) ?? (otherId.addresses[0] as string)
        await ipfs.swarmConnect(addr.includes('/p2p/') ? addr : `${addr}/p2p/${otherId.id}`)
        await ipfs.pin(cid, { signal: AbortSignal.timeout(60_000) })
        expect(await ipfs.pinLsCid(cid)).toBe('recursive')
        // the content is now local: the other node can go away and it is still readable here
        await other.destroy()
        expect((await ipfs.blockGet(cid, { signal: AbortSignal.timeout(5_000) })).length).toBeGreaterThan(0)
        await ipfs.unpin(cid)
      } finally {
        await other.destroy().catch(() => {})
      }
    }, 120_000)
  })
}
