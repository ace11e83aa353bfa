/**
 * The cluster's libp2p host: TCP, noise, yamux, identify, ping. (The cluster-peer issue adds the
 * private network, gossipsub, DHT and mDNS.)
 */
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'

export interface HostInit {
  privateKey: PrivateKey
  listen: string[]
}

export async function createHost(init: HostInit) {
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
  })
}
