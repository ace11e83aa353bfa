/**
 * A 1 GiB upload through `POST /add` streams: the peer's peak resident memory (VmHWM from
 * /proc) stays far below the upload size, for the embedded Helia node and for a peer driving
 * Kubo. Memory is asserted, never time.
 */
import { readFile, rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KuboProcess, kuboBinary, reportMissingKubo, startKubo } from '../helpers/kubo.js'
import { ndjsonLines, postUpload } from '../helpers/multipart.js'
import { type PeerProcess, startPeer } from '../helpers/peer.js'

const GiB = 1 << 30
const MiB = 1 << 20
/** Peak RSS allowed while 1 GiB passes through: a buffering implementation would need > 1 GiB. */
const PEAK_LIMIT = 450 * MiB
/**
 * A Kubo-backed peer only relays the bytes, and collects the relayed Buffers young
 * (`youngGcPacer`): measured 222 MiB; 333 MiB when they were left to full collections.
 */
const KUBO_PEAK_LIMIT = 300 * MiB

/** 1 GiB of distinct 1 MiB chunks (a counter stamped into a random buffer), generated lazily. */
async function* gigabyte(): AsyncGenerator<Uint8Array> {
  const base = new Uint8Array(MiB)
  crypto.getRandomValues(base.subarray(0, 65_536))
  for (let i = 65_536; i < MiB; i += 65_536) base.set(base.subarray(0, 65_536), i)
  for (let n = 0; n < GiB / MiB; n++) {
    const chunk = new Uint8Array(base)
    new DataView(chunk.buffer).setUint32(0, n)
    for (let off = 262_144; off < MiB; off += 262_144) new DataView(chunk.buffer).setUint32(off, n * 4 + off / 262_144)
    yield chunk
  }
}

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = /VmHWM:\s+(\d+) kB/.exec(status)
  if (m === null) throw new Error('no VmHWM in /proc status')
  return Number(m[1]) * 1024
}

async function uploadGigabyte(peer: PeerProcess): Promise<{ cid: string; size: number; peak: number }> {
  const res = await postUpload(`${peer.api}/add?no-pin=true`, [{ path: 'big.bin', content: gigabyte() }])
  expect(res.status).toBe(200)
  const lines = await ndjsonLines<{ name: string; cid: string; size: number }>(res)
  expect(lines).toHaveLength(1)
  return { cid: lines[0]?.cid as string, size: lines[0]?.size as number, peak: await peakRss(peer.proc.pid as number) }
}

describe('a 1 GiB upload streams through POST /add', () => {
  let embedded: PeerProcess
  let kubo: KuboProcess | undefined
  let kuboPeer: PeerProcess | undefined
  const bin = kuboBinary()

  beforeAll(async () => {
    embedded = await startPeer()
    if (bin !== undefined) {
      kubo = await startKubo({ bin })
      kuboPeer = await startPeer({ env: { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiAddr } })
    }
  })

  afterAll(async () => {
    for (const p of [embedded, kuboPeer]) {
      await p?.kill()
      if (p) await rm(p.dir, { recursive: true, force: true })
    }
    await kubo?.destroy()
  })

  it('embedded node: peak RSS stays bounded and the DAG covers the whole upload', async () => {
    const { cid, size, peak } = await uploadGigabyte(embedded)
    expect(cid).toMatch(/^Qm/)
    expect(size).toBeGreaterThan(GiB)
    expect(peak, `peak RSS ${Math.round(peak / MiB)} MiB`).toBeLessThan(PEAK_LIMIT)
  }, 600_000)

  it('Kubo-backed peer: peak RSS stays bounded and Kubo holds the DAG', async () => {
    if (kuboPeer === undefined || kubo === undefined) {
      if (reportMissingKubo('test/system/ipfs-add-large.spec.ts')) expect.fail('no Kubo binary under CI')
      return
    }
    const { cid, size, peak } = await uploadGigabyte(kuboPeer)
    expect(size).toBeGreaterThan(GiB)
    expect(peak, `peak RSS ${Math.round(peak / MiB)} MiB`).toBeLessThan(KUBO_PEAK_LIMIT)
    expect(JSON.parse(await kubo.cli(['files', 'stat', '--enc=json', `/ipfs/${cid}`])).CumulativeSize).toBe(size)
  }, 600_000)
})
