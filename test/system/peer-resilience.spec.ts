import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PeerProcess, startPeer } from '../helpers/peer.js'
import { cidFor } from './fixtures/pinset-cids.js'

// A pin whose content is nowhere is still being fetched (a Helia graph walk) when the unpin
// right behind it cancels it. @helia/utils 3.0.5 then rejects a promise nobody handles, which
// used to kill the peer process (found by the REST suite under load).
describe('peer resilience', () => {
  let peer: PeerProcess
  beforeAll(async () => {
    peer = await startPeer()
  })
  afterAll(async () => {
    await peer?.stop()
  })

  it('keeps running through pins cancelled by an unpin right behind them', async () => {
    for (let i = 0; i < 100; i++) {
      const cid = cidFor(5000 + i)
      expect((await fetch(`${peer.api}/pins/ipfs/${cid}?mode=direct`, { method: 'POST' })).status).toBe(200)
      expect((await fetch(`${peer.api}/pins/ipfs/${cid}`, { method: 'DELETE' })).status).toBe(200)
    }
    expect((await fetch(`${peer.api}/id`)).status).toBe(200)
    expect(peer.proc.exitCode).toBeNull()
  })
})
