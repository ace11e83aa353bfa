/**
 * The IPFS side of replication between two embedded nodes, at the level the cluster drives it:
 * content added on A (through `addContent`, as `POST /add` does) is pinned on B after B's node
 * is connected to A's — either by the swarm connector (other peers' IPFS addresses) or by the
 * pin's `origins`, which `addContent` fills with A's IPFS addresses. Real Helia nodes, real
 * libp2p on loopback; the cluster pin function is a recorder (this tests the code around it).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IpfsAddEntry, Pin, PinOptions } from '@pinmesh/interface'
import { defaultPinOptions, newPin } from '@pinmesh/interface'
import { createHeliaConnector, type HeliaConnector } from '@pinmesh/ipfs-connector'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addContent, startIpfsSwarmConnector } from '../src/index.js'

const logger = pino({ level: 'silent' })

async function* upload(path: string, bytes: Uint8Array): AsyncIterable<IpfsAddEntry> {
  yield { path, content: bytes }
}

function random(n: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i += 65_536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65_536)))
  return b
}

describe('IPFS replication between two embedded nodes', () => {
  const dirs: string[] = []
  let a: HeliaConnector
  let b: HeliaConnector

  const node = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinmesh-core-ipfs-'))
    dirs.push(dir)
    const n = await createHeliaConnector({ path: dir, config: { pin_timeout: 20_000 } })
    await n.start()
    return n
  }

  beforeAll(async () => {
    a = await node()
    b = await node()
  })

  afterAll(async () => {
    await a?.stop()
    await b?.stop()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('addContent stores on A, pins through the cluster with A as origin; B pins it via the origins', async () => {
    const pins: Pin[] = []
    const pin = async (cid: string, o: PinOptions) => {
      const p = { ...newPin(cid, o), allocations: ['peer-b'] }
      pins.push(p)
      return p
    }
    const out = []
    for await (const o of addContent({ ipfs: a, pin, peerId: 'peer-a', logger }, upload('data.bin', random(900_000)), { ...defaultPinOptions(), name: 'data' }))
      out.push(o)
    const root = out.at(-1)
    expect(root?.cid).toMatch(/^Qm/)
    expect(root?.allocations).toEqual(['peer-b'])
    expect(pins).toHaveLength(1)
    const [p] = pins
    expect(p?.mode).toBe('recursive')
    expect(p?.name).toBe('data')
    expect(p?.origins.length).toBeGreaterThan(0)
    const aId = (await a.id()).id
    expect(p?.origins.every((o) => o.endsWith(`/p2p/${aId}`))).toBe(true)
    expect(await b.pinLsCid(root?.cid as string)).toBeUndefined()
    await b.pin(root?.cid as string, { origins: p?.origins ?? [], signal: AbortSignal.timeout(60_000) })
    expect(await b.pinLsCid(root?.cid as string)).toBe('recursive')
  })

  it('the swarm connector connects B to the IPFS nodes of the other peers', async () => {
    const c = await node()
    const aId = await a.id()
    const connector = startIpfsSwarmConnector(
      { delay: 0, interval: 0 },
      { ipfs: c, peerIpfsAddresses: async () => [...aId.addresses, ...(await c.id()).addresses], logger },
    )
    try {
      expect(await connector.connectNow()).toBeGreaterThan(0)
      expect(c.swarmPeers()).toContain(aId.id)
      const [added] = await (async () => {
        const r = []
        for await (const o of a.add(upload('more.bin', random(300_000)))) r.push(o)
        return r
      })()
      await c.pin(added?.cid as string, { signal: AbortSignal.timeout(60_000) })
      expect(await c.pinLsCid(added?.cid as string)).toBe('recursive')
    } finally {
      connector.stop()
      await c.stop()
    }
  })
})
