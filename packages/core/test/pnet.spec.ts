/**
 * The private-network protector: byte-identical keystream to the `xsalsa20` package that
 * @libp2p/pnet uses, wire-compatible with @libp2p/pnet (real libp2p nodes on loopback), and a
 * clear refusal of peers holding another secret.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import xsalsa20 from 'xsalsa20'
import { type ClusterHost, createHost, parseClusterConfig, XSalsa20Stream } from '../src/index.js'

const silent = pino({ level: 'silent' })

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)))
  return out
}

describe('XSalsa20Stream', () => {
  it('produces the same bytes as the xsalsa20 package for any chunking', () => {
    const key = randomBytes(32)
    const nonce = randomBytes(24)
    const data = randomBytes(200_000)
    const reference = xsalsa20(nonce, key).update(data)
    for (const sizes of [[1], [63, 1, 64, 65], [1000], [7, 4096, 3]]) {
      const ours = new XSalsa20Stream(key, nonce)
      const out = new Uint8Array(data.length)
      let pos = 0
      let i = 0
      while (pos < data.length) {
        const n = Math.min(sizes[i++ % sizes.length] as number, data.length - pos)
        out.set(ours.update(data.subarray(pos, pos + n)), pos)
        pos += n
      }
      expect(Buffer.from(out).equals(Buffer.from(reference))).toBe(true)
    }
  })
})

describe('privateNetwork protector on real libp2p hosts', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((s) => s()))
  })

  async function clusterHost(secret: string, logger = silent): Promise<ClusterHost> {
    const config = parseClusterConfig({ secret, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'], mdns_interval: '0s' })
    const host = await createHost(config, { privateKey: await generateKeyPair('Ed25519'), logger })
    stops.push(async () => {
      await host.stop()
    })
    return host
  }

  it('interoperates with @libp2p/pnet (same wire format)', async () => {
    const secret = Buffer.from(randomBytes(32)).toString('hex')
    const ours = await clusterHost(secret)
    const reference = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionProtector: preSharedKey({ psk: new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${secret}`) }),
      services: { identify: identify(), ping: ping() },
    })
    stops.push(async () => {
      await reference.stop()
    })
    const rtt = await ours.services.ping.ping(reference.getMultiaddrs()[0] as never)
    expect(rtt).toBeGreaterThanOrEqual(0)
    const back = await reference.services.ping.ping(ours.getMultiaddrs()[0] as never)
    expect(back).toBeGreaterThanOrEqual(0)
  })

  it('refuses a peer with another secret and says so in the log', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) })
    const a = await clusterHost(Buffer.from(randomBytes(32)).toString('hex'), logger)
    const b = await clusterHost(Buffer.from(randomBytes(32)).toString('hex'))
    await expect(b.dial(a.getMultiaddrs()[0] as never)).rejects.toThrow()
    await expect.poll(() => lines.join('\n'), { timeout: 5000 }).toMatch(/uses a different cluster secret \(private network key mismatch\)/)
    expect(a.getConnections()).toHaveLength(0)
  })

  it('refuses a peer without any secret', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) })
    const a = await clusterHost(Buffer.from(randomBytes(32)).toString('hex'), logger)
    const open = await clusterHost('')
    await expect(open.dial(a.getMultiaddrs()[0] as never)).rejects.toThrow()
    await expect.poll(() => lines.join('\n'), { timeout: 5000 }).toMatch(/not on a private network/)
  })
})
