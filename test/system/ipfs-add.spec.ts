/**
 * `POST /add` end to end on real `pinmesh daemon` processes — one with the embedded Helia node,
 * one driving a real Kubo — checked against the real Kubo's `ipfs add`: the same files with the
 * same options give the same CIDs (small file, exactly 1 MiB, a directory, an empty file, and the
 * non-default options). The added root becomes a cluster pin that ends up pinned; CAR imports,
 * progress lines, the buffered form and bad input are covered too.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { decodeGlobalPinInfo, parseJson } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KuboProcess, kuboBinary, reportMissingKubo, startKubo } from '../helpers/kubo.js'
import { collectBytes, ndjsonLines, postUpload, pseudoRandom, type UploadEntry } from '../helpers/multipart.js'
import { type PeerProcess, startPeer, tempDir } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

const bin = kuboBinary()

interface Case {
  name: string
  query: string
  cli: string[]
  entries: () => Promise<UploadEntry[]>
  /** The embedded node refuses options whose CIDs it cannot build like Kubo. */
  embeddedRejects?: string
}

const MiB = 1 << 20
const bytes = (n: number, seed: number) => collectBytes(pseudoRandom(n, seed))

const CASES: Case[] = [
  { name: 'small file', query: '', cli: [], entries: async () => [{ path: 'small.txt', content: 'hello pinmesh\n' }] },
  { name: 'exactly 1 MiB', query: '', cli: [], entries: async () => [{ path: 'one-mib.bin', content: await bytes(MiB, 5) }] },
  { name: 'empty file', query: '', cli: [], entries: async () => [{ path: 'empty', content: new Uint8Array(0) }] },
  {
    name: 'directory',
    query: '',
    cli: [],
    entries: async () => [
      { path: 'docs' },
      { path: 'docs/a.txt', content: 'alpha\n' },
      { path: 'docs/sub' },
      { path: 'docs/sub/b.bin', content: await bytes(700_000, 9) },
      { path: 'docs/sub/empty', content: new Uint8Array(0) },
    ],
  },
  { name: 'cid-version=1', query: 'cid-version=1', cli: ['--cid-version=1'], entries: async () => [{ path: 'v1.bin', content: await bytes(MiB + 17, 6) }] },
  { name: 'raw-leaves with CIDv0', query: 'raw-leaves=true', cli: ['--raw-leaves'], entries: async () => [{ path: 'raw.bin', content: await bytes(MiB, 7) }] },
  {
    name: 'wrap-with-directory',
    query: 'wrap-with-directory=true',
    cli: ['-w'],
    entries: async () => [{ path: 'wrapped.txt', content: 'in a directory\n' }],
  },
  {
    name: 'trickle layout, 1000-byte chunks',
    query: 'layout=trickle&chunker=size-1000',
    cli: ['--trickle', '--chunker=size-1000'],
    entries: async () => [{ path: 'trickle.bin', content: await bytes(400_000, 8) }],
  },
  {
    name: 'rabin chunker',
    query: 'chunker=rabin-4096-8192-16384',
    cli: ['--chunker=rabin-4096-8192-16384'],
    entries: async () => [{ path: 'rabin.bin', content: await bytes(300_000, 13) }],
    embeddedRejects: 'its CIDs would differ',
  },
  {
    name: 'many links (balanced tree deeper than 174 leaves)',
    query: 'chunker=size-1024',
    cli: ['--chunker=size-1024'],
    entries: async () => [{ path: 'wide.bin', content: await bytes(200 * 1024 + 5, 10) }],
  },
]

/** Writes upload entries to a folder so the Kubo CLI can add the same files. */
async function materialise(dir: string, entries: UploadEntry[]): Promise<string> {
  for (const e of entries) {
    const p = join(dir, e.path)
    if (e.content === undefined) await mkdir(p, { recursive: true })
    else {
      await mkdir(dirname(p), { recursive: true })
      await writeFile(p, typeof e.content === 'string' ? e.content : (e.content as Uint8Array))
    }
  }
  return join(dir, (entries[0] as UploadEntry).path.split('/')[0] as string)
}

/** `ipfs add --only-hash` output as [name, cid] pairs (the wrapping root has name ""). */
async function kuboAdd(kubo: KuboProcess, path: string, args: string[], recursive: boolean): Promise<[string, string][]> {
  const out = await kubo.cli(['add', '--only-hash', '--progress=false', ...(recursive ? ['-r'] : []), ...args, path])
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [, cid, ...name] = line.trim().split(' ')
      return [name.join(' '), cid as string]
    })
}

/** True when the cluster pinset holds `cid` (asked through the peer's IPFS proxy, which answers pin/ls from the pinset). */
async function inPinset(peer: PeerProcess, cid: string): Promise<boolean> {
  const res = await fetch(`${peer.proxy}/api/v0/pin/ls?arg=${cid}&stream=true`, { method: 'POST' })
  return res.status === 200
}

if (bin === undefined) {
  describe('POST /add equals ipfs add', () => {
    it('needs a Kubo binary', () => {
      if (reportMissingKubo('test/system/ipfs-add.spec.ts')) expect.fail('no Kubo binary under CI: the /add parity tests did not run')
    })
  })
} else {
  describe('POST /add equals ipfs add (real Kubo, real peers)', () => {
    let kubo: KuboProcess
    let embedded: PeerProcess
    let kuboPeer: PeerProcess
    let files: string

    beforeAll(async () => {
      kubo = await startKubo({ bin })
      files = await tempDir('pinmesh-add-files-')
      ;[embedded, kuboPeer] = await Promise.all([startPeer(), startPeer({ env: { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiAddr } })])
    })

    afterAll(async () => {
      await embedded?.kill()
      await kuboPeer?.kill()
      await kubo?.destroy()
      if (files) await rm(files, { recursive: true, force: true })
      for (const p of [embedded, kuboPeer]) if (p) await rm(p.dir, { recursive: true, force: true })
    })

    for (const c of CASES) {
      it(`${c.name}: same CIDs from both peers and from ipfs add`, async () => {
        const entries = await c.entries()
        const dir = await materialise(join(files, c.name.replace(/\W+/g, '-')), entries)
        const expected = await kuboAdd(kubo, dir, c.cli, entries.length > 1)
        for (const peer of [embedded, kuboPeer]) {
          const res = await postUpload(`${peer.api}/add?${c.query}`, entries)
          if (peer === embedded && c.embeddedRejects !== undefined) {
            expect(res.status).toBe(400)
            expect(((await res.json()) as { message: string }).message).toContain(c.embeddedRejects)
            continue
          }
          expect(res.status, await res.clone().text()).toBe(200)
          expect(res.headers.get('x-chunked-output')).toBe('1')
          const lines = await ndjsonLines<{ name: string; cid: string }>(res)
          expect(lines.map((l) => [l.name, l.cid])).toEqual(expected)
        }
      })
    }

    it('pins the added root through the cluster and reports it pinned', async () => {
      const res = await postUpload(`${embedded.api}/add?name=site&replication-min=-1&replication-max=-1`, [
        { path: 'page.html', content: `<p>${Date.now()}</p>` },
      ])
      const [out] = await ndjsonLines<{ name: string; cid: string }>(res)
      expect(await inPinset(embedded, out?.cid as string)).toBe(true)
      await waitFor(
        async () => {
          const info = decodeGlobalPinInfo(parseJson(await (await fetch(`${embedded.api}/pins/${out?.cid}`)).text()))
          const peers = Object.values(info.peer_map)
          return peers.length > 0 && peers.every((p) => p.status === 'pinned')
        },
        { timeout: 20_000, message: 'the added root to be pinned' },
      )
    })

    it('no-pin=true adds the content without a cluster pin', async () => {
      const res = await postUpload(`${kuboPeer.api}/add?no-pin=true`, [{ path: 'loose.txt', content: `loose ${Date.now()}` }])
      const [out] = await ndjsonLines<{ cid: string }>(res)
      expect(await inPinset(kuboPeer, out?.cid as string)).toBe(false)
      expect((await kubo.cli(['block', 'stat', '--offline', out?.cid as string])).length).toBeGreaterThan(0)
      await expect(kubo.cli(['pin', 'ls', out?.cid as string])).rejects.toThrow(/not pinned/)
    })

    it('a pin the cluster refuses fails the add and leaves nothing pinned in Kubo', async () => {
      const content = `refused ${Date.now()}`
      const res = await postUpload(`${kuboPeer.api}/add?replication-min=2&replication-max=2`, [{ path: 'r.txt', content }])
      expect(res.status).toBe(500)
      expect(((await res.json()) as { message: string }).message).toContain('not enough peers to allocate')
      const cid = (await kubo.cli(['add', '-Q', '--only-hash'], content)).trim()
      await expect(kubo.cli(['pin', 'ls', cid])).rejects.toThrow(/not pinned/)
    })

    it('progress=true streams byte progress lines before the result; stream-channels=false buffers an array', async () => {
      const res = await postUpload(`${embedded.api}/add?progress=true`, [{ path: 'p.bin', content: await bytes(600_000, 12) }])
      const lines = await ndjsonLines<{ name: string; cid: string | null; bytes?: number }>(res)
      const progress = lines.filter((l) => l.cid === null)
      expect(progress.length).toBeGreaterThan(0)
      expect(progress.at(-1)).toEqual({ name: 'p.bin', cid: null, bytes: 600_000 })
      expect(lines.at(-1)?.cid).toMatch(/^Qm/)
      const buffered = await postUpload(`${embedded.api}/add?stream-channels=false`, [{ path: 'b.txt', content: 'buffered\n' }])
      expect(buffered.status).toBe(200)
      const arr = (await buffered.json()) as { name: string; cid: string }[]
      expect(arr).toEqual([expect.objectContaining({ name: 'b.txt', cid: expect.stringMatching(/^Qm/) })])
    })

    it('format=car imports a CAR exported by Kubo on both peers and pins its root', async () => {
      const content = await bytes(500_000, 21)
      const dir = join(files, 'car')
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, 'car-src.bin'), content)
      const added = (await kubo.cli(['add', '-Q', '--pin=false', join(dir, 'car-src.bin')])).trim()
      const car = new Uint8Array(await (await fetch(`${kubo.url}/api/v0/dag/export?arg=${added}`, { method: 'POST' })).arrayBuffer())
      await kubo.cli(['repo', 'gc'])
      for (const peer of [embedded, kuboPeer]) {
        const res = await postUpload(`${peer.api}/add?format=car`, [{ path: 'export.car', content: car }])
        const lines = await ndjsonLines<{ name: string; cid: string; bytes: number; size: number }>(res)
        expect(lines).toHaveLength(1)
        expect(lines[0]).toMatchObject({ name: 'export.car', cid: added, size: 500_000 })
        expect(lines[0]?.bytes).toBeGreaterThan(500_000)
        expect(await inPinset(peer, added)).toBe(true)
      }
    })

    it('rejects bad input with a clear 400 and keeps running', async () => {
      const notMultipart = await fetch(`${embedded.api}/add`, { method: 'POST', body: 'hello', headers: { 'Content-Type': 'text/plain' } })
      expect(notMultipart.status).toBe(400)
      expect(((await notMultipart.json()) as { message: string }).message).toContain('multipart/form-data')
      for (const [query, text] of [
        ['format=zip', 'format parameter is invalid'],
        ['layout=spiral', 'layout parameter is invalid'],
        ['progress=maybe', 'parameter progress invalid'],
        ['chunker=size-0', 'chunker size must be'],
        ['chunker=fancy', 'unsupported chunker'],
      ] as const) {
        const res = await postUpload(`${embedded.api}/add?${query}`, [{ path: 'x.txt', content: 'x' }])
        expect(res.status, query).toBe(400)
        expect(((await res.json()) as { message: string }).message).toContain(text)
      }
      const twoRoots = await postUpload(`${embedded.api}/add?format=car`, [{ path: 'bad.car', content: 'not a car' }])
      expect(twoRoots.status).toBe(400)
      expect((await fetch(`${embedded.api}/id`)).status).toBe(200)
    })
  })
}
