/**
 * A real `pinmesh daemon` driving a real Kubo: pins reach Kubo; when Kubo goes down the peer
 * keeps running, `GET /id` shows the IPFS error, pin operations fail with a clear error; when
 * Kubo comes back everything works again.
 */
import { rm } from 'node:fs/promises'
import { decodeGlobalPinInfo, decodeId, parseJson } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KuboProcess, kuboBinary, reportMissingKubo, startKubo } from '../helpers/kubo.js'
import { type PeerProcess, startPeer } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

const bin = kuboBinary()

async function id(peer: PeerProcess) {
  return decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
}

async function status(peer: PeerProcess, cid: string) {
  return Object.values(decodeGlobalPinInfo(parseJson(await (await fetch(`${peer.api}/pins/${cid}`)).text())).peer_map)[0]
}

if (bin === undefined) {
  describe('peer with Kubo', () => {
    it('needs a Kubo binary', () => {
      if (reportMissingKubo('test/system/ipfs-kubo.spec.ts')) expect.fail('no Kubo binary under CI: the Kubo peer tests did not run')
    })
  })
} else {
  describe('peer with Kubo (real processes)', () => {
    let kubo: KuboProcess
    let peer: PeerProcess

    beforeAll(async () => {
      kubo = await startKubo({ bin })
      peer = await startPeer({ env: { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiAddr, CLUSTER_IPFSHTTP_IPFSREQUESTTIMEOUT: '5s' } })
    })

    afterAll(async () => {
      await peer?.kill()
      await kubo?.destroy()
      if (peer) await rm(peer.dir, { recursive: true, force: true })
    })

    it('GET /id shows the Kubo node', async () => {
      const kuboId = JSON.parse(await kubo.cli(['id', '--enc=json'])).ID as string
      const me = await id(peer)
      expect(me.ipfs.error).toBe('')
      expect(me.ipfs.id).toBe(kuboId)
    })

    it('a cluster pin ends up pinned in Kubo', async () => {
      const cid = (await kubo.cli(['add', '-Q', '--pin=false'], `pinned through pinmesh ${Date.now()}`)).trim()
      expect((await fetch(`${peer.api}/pins/${cid}`, { method: 'POST' })).status).toBe(200)
      await waitFor(async () => (await status(peer, cid))?.status === 'pinned', { timeout: 20_000, message: 'pinned status' })
      expect(await kubo.cli(['pin', 'ls', '--type=recursive', cid])).toContain(cid)
    })

    it('keeps running while Kubo is down, says so, and recovers when it returns', async () => {
      const cid = (await kubo.cli(['add', '-Q', '--pin=false'], `while kubo is down ${Date.now()}`)).trim()
      await kubo.stop()
      const down = await id(peer)
      expect(down.ipfs.error).toMatch(/kubo at http:\/\/127\.0\.0\.1:\d+ is unreachable/)
      expect((await fetch(`${peer.api}/pins/${cid}`, { method: 'POST' })).status).toBe(200)
      await waitFor(async () => (await status(peer, cid))?.status === 'pin_error', { timeout: 20_000, message: 'pin_error while kubo is down' })
      expect((await status(peer, cid))?.error).toMatch(/unreachable/)
      await kubo.restart()
      await waitFor(async () => (await id(peer)).ipfs.error === '', { timeout: 20_000, message: 'ipfs error cleared' })
      // re-submitting the pin retries it (recover arrives with the REST routes)
      await fetch(`${peer.api}/pins/${cid}`, { method: 'POST' })
      await waitFor(async () => (await status(peer, cid))?.status === 'pinned', { timeout: 30_000, message: 'pinned after kubo returned' })
    })
  })
}
