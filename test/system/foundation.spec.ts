/**
 * The walking skeleton end to end: a real `pinmesh daemon` process with embedded Helia pins a
 * CID of content it holds, reports `pinned`, keeps the pin across a restart, and rejects bad
 * input without dying.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeGlobalPinInfo, decodeId, decodePin, parseJson } from '@pinmesh/interface'
import { FsBlockstore } from 'blockstore-fs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PeerProcess, startPeer, tempDir } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

async function seedBlock(dir: string, text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text)
  const cid = CID.createV1(raw.code, await sha256.digest(bytes))
  const store = new FsBlockstore(join(dir, 'ipfs', 'blocks'))
  await store.open()
  await store.put(cid, bytes)
  await store.close()
  return cid.toString()
}

async function statusOf(api: string, cid: string) {
  const res = await fetch(`${api}/pins/${cid}`)
  expect(res.status).toBe(200)
  return decodeGlobalPinInfo(parseJson(await res.text()))
}

describe('one peer with embedded IPFS (real process)', () => {
  let peer: PeerProcess
  let dir: string
  let cid: string

  beforeAll(async () => {
    dir = await tempDir()
    // Content the peer holds: a block written into its on-disk blockstore before it starts.
    cid = await seedBlock(dir, `hello pinmesh ${Date.now()}`)
    peer = await startPeer({ dir })
  })

  afterAll(async () => {
    await peer?.kill()
    await rm(dir, { recursive: true, force: true })
  })

  it('GET /id and /version answer in the upstream shapes', async () => {
    const id = decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
    expect(id.id).toMatch(/^12D3KooW/)
    expect(id.cluster_peers).toEqual([id.id])
    expect(id.ipfs.error).toBe('')
    expect(id.ipfs.id).toMatch(/^12D3KooW/)
    expect(id.addresses?.every((a) => a.endsWith(`/p2p/${id.id}`))).toBe(true)
    expect(await (await fetch(`${peer.api}/version`)).json()).toEqual({ version: '1.1.6' })
  })

  it('pins a held CID, reports pinned, lists it as NDJSON', async () => {
    const res = await fetch(`${peer.api}/pins/${cid}`, { method: 'POST' })
    expect(res.status).toBe(200)
    const pin = decodePin(parseJson(await res.text()))
    expect(pin).toMatchObject({ cid, type: 'pin', replication_factor_min: -1, replication_factor_max: -1 })

    const id = decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
    await waitFor(async () => (await statusOf(peer.api, cid)).peer_map[id.id]?.status === 'pinned', { message: `${cid} pinned` })

    const list = await fetch(`${peer.api}/pins`)
    expect(list.status).toBe(200)
    expect(list.headers.get('trailer')).toBe('X-Stream-Error')
    const lines = (await list.text()).trim().split('\n')
    expect(lines.map((l) => decodeGlobalPinInfo(parseJson(l)).cid)).toEqual([cid])
  })

  it('rejects bad input with {code, message} and keeps running', async () => {
    const bad = await fetch(`${peer.api}/pins/not-a-cid`, { method: 'POST' })
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as { code: number; message: string }
    expect(body.code).toBe(400)
    expect(body.message).toMatch(/error decoding Cid/)
    expect(body.message).toContain('not-a-cid')

    const badOpt = await fetch(`${peer.api}/pins/${cid}?replication-min=abc`, { method: 'POST' })
    expect(badOpt.status).toBe(400)
    expect(((await badOpt.json()) as { message: string }).message).toBe('parameter replication-min invalid')

    const unknown = await fetch(`${peer.api}/no/such/route`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ code: 404, message: 'not found' })

    const missing = await fetch(`${peer.api}/pins/QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6`, { method: 'DELETE' })
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { message: string }).message).toBe('pin is not part of the pinset')

    expect((await fetch(`${peer.api}/health`)).status).toBe(204)
  })

  it('keeps the pin, still pinned, after a restart', async () => {
    expect(await peer.stop()).toBe(0)
    await peer.restart()
    const id = decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
    const status = await statusOf(peer.api, cid)
    expect(status.peer_map[id.id]?.status).toBe('pinned')
    const lines = (await (await fetch(`${peer.api}/pins`)).text()).trim().split('\n')
    expect(lines).toHaveLength(1)
  })

  it('unpins and answers 204 for an empty listing', async () => {
    const res = await fetch(`${peer.api}/pins/${cid}`, { method: 'DELETE' })
    expect(res.status).toBe(200)
    expect(decodePin(parseJson(await res.text())).cid).toBe(cid)
    const list = await fetch(`${peer.api}/pins`)
    expect(list.status).toBe(204)
    expect(await list.text()).toBe('')
  })
})
