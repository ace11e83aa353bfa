/**
 * The compliance suite against the Kubo connector and a real Kubo daemon (one per node, own
 * repository, free ports), plus what only Kubo has: an unreachable daemon. Without a Kubo
 * binary this says loudly that it did not run, and fails under CI.
 */
import { IpfsError } from '@pinmesh/interface'
import { describe, expect, it } from 'vitest'
import { kuboBinary, reportMissingKubo, startKubo } from '../../../test/helpers/kubo.js'
import { freePort } from '../../../test/helpers/ports.js'
import { createKuboConnector } from '../src/index.js'
import { connectorCompliance } from './compliance.js'

const bin = kuboBinary()

if (bin === undefined) {
  describe('IpfsConnector compliance: kubo', () => {
    it('needs a Kubo binary', () => {
      if (reportMissingKubo('packages/ipfs-connector kubo.spec.ts')) expect.fail('no Kubo binary under CI: the Kubo suite did not run')
    })
  })
} else {
  connectorCompliance('kubo', async (options = {}) => {
    const kubo = await startKubo({ bin })
    const connector = createKuboConnector({ node_multiaddress: kubo.apiAddr, ...(options.pinTimeout ? { pin_timeout: options.pinTimeout } : {}) })
    let destroyed: Promise<void> | undefined
    return {
      connector,
      destroy() {
        destroyed ??= (async () => {
          await connector.stop()
          await kubo.destroy()
        })()
        return destroyed
      },
    }
  })

  describe('kubo connector with Kubo down', () => {
    it('fails every call with an IpfsError naming the node, quickly', async () => {
      const port = await freePort()
      const ipfs = createKuboConnector({ node_multiaddress: `/ip4/127.0.0.1/tcp/${port}` })
      for (const call of [() => ipfs.id(), () => ipfs.pin('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'), () => ipfs.repoStat()]) {
        const err = await call().catch((e: unknown) => e)
        expect(err).toBeInstanceOf(IpfsError)
        expect((err as Error).message).toContain(`127.0.0.1:${port} is unreachable`)
      }
      await ipfs.stop()
    })
  })
}
