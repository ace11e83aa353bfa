/** The compliance suite against the embedded Helia connector (real Helia, real disk, real libp2p on loopback). */
import { rm } from 'node:fs/promises'
import { tempDir } from '../../../test/helpers/peer.js'
import { createHeliaConnector } from '../src/index.js'
import { connectorCompliance } from './compliance.js'

connectorCompliance('embedded helia', async (options = {}) => {
  const dir = await tempDir('pinmesh-helia-')
  const connector = await createHeliaConnector({ path: dir, config: { ...(options.pinTimeout ? { pin_timeout: options.pinTimeout } : {}) } })
  await connector.start()
  let destroyed: Promise<void> | undefined
  return {
    connector,
    destroy() {
      destroyed ??= (async () => {
        await connector.stop()
        await rm(dir, { recursive: true, force: true })
      })()
      return destroyed
    },
  }
})
