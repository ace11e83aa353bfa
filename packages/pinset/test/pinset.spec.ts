import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PinsetChange } from '@pinmesh/interface'
import { defaultPinOptions, newPin } from '@pinmesh/interface'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinset } from '../src/index.js'

const CID_A = 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6'
const CID_B = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'

describe('pinset on LevelDB', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinmesh-pinset-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('puts, gets, lists, removes and emits typed changes', async () => {
    const pinset = await createPinset({ path: dir })
    const changes: PinsetChange[] = []
    pinset.addEventListener('change', (e) => changes.push(e.detail))
    await pinset.put(newPin(CID_A, { ...defaultPinOptions(), name: 'a' }))
    await pinset.put(newPin(CID_B, defaultPinOptions()))
    await pinset.put(newPin(CID_A, { ...defaultPinOptions(), name: 'a2' }))
    expect((await pinset.get(CID_A))?.name).toBe('a2')
    expect(await pinset.has(CID_B)).toBe(true)
    const listed: string[] = []
    for await (const p of pinset.list()) listed.push(p.cid)
    expect(listed.sort()).toEqual([CID_A, CID_B].sort())
    await pinset.remove(CID_B)
    await pinset.remove(CID_B)
    expect(await pinset.has(CID_B)).toBe(false)
    expect(changes.map((c) => `${c.type}:${c.cid}`)).toEqual([`added:${CID_A}`, `added:${CID_B}`, `updated:${CID_A}`, `removed:${CID_B}`])
    await pinset.close()
  })

  it('keeps pins across a reopen', async () => {
    const first = await createPinset({ path: dir })
    await first.put(newPin(CID_A, defaultPinOptions()))
    const digest = await first.digest()
    await first.close()
    const second = await createPinset({ path: dir })
    expect(await second.get(CID_A)).toMatchObject({ cid: CID_A, type: 'pin' })
    expect(await second.digest()).toBe(digest)
    await second.close()
    await expect(second.put(newPin(CID_B, defaultPinOptions()))).rejects.toThrow(/closed/)
  })
})
