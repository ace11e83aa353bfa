/**
 * mDNS discovery: three real peers sharing a fresh secret, started with no bootstrap address,
 * find each other on the local network and form one cluster.
 */
import { decodeId, parseJson } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createTestCluster, type TestCluster } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

describe('mDNS discovery (3 real peers, no bootstrap)', () => {
  let cluster: TestCluster

  beforeAll(async () => {
    cluster = await createTestCluster({
      peers: 3,
      bootstrap: false,
      env: { CLUSTER_MDNSINTERVAL: '1s', CLUSTER_MONITORPINGINTERVAL: '1s', CLUSTER_PUBSUBMON_CHECKINTERVAL: '1s' },
    })
  })

  afterAll(async () => {
    await cluster?.destroy()
  })

  it('every peer ends up with all three in its peerset', async () => {
    const all = JSON.stringify([...cluster.ids].sort())
    for (const peer of cluster.peers) {
      await waitFor(async () => JSON.stringify(decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text())).cluster_peers) === all, {
        timeout: 30_000,
        message: `${peer.api} to discover the other peers by mDNS`,
      })
    }
  })
})
