/**
 * Private-network throughput: the raw XSalsa20 keystream, and 256 MiB through one libp2p
 * connection between two hosts in this process, with and without the cluster secret. Prints
 * figures for BENCHMARKS.md; asserts nothing.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Stream } from '@libp2p/interface'
import { pino } from 'pino'
import { createHost, parseClusterConfig, XSalsa20Stream } from '../src/index.js'

const MiB = 1024 * 1024
const PROTOCOL = '/pinmesh/bench/sink/1.0.0'

function keystream(): number {
  const s = new XSalsa20Stream(new Uint8Array(32), new Uint8Array(24))
  const buf = new Uint8Array(256 * 1024)
  const start = performance.now()
  let n = 0
  while (performance.now() - start < 3000) {
    s.update(buf)
    n += buf.length
  }
  return n / MiB / ((performance.now() - start) / 1000)
}

async function transfer(secret: string, total: number): Promise<number> {
  const config = parseClusterConfig({ secret, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'], mdns_interval: '0s' })
  const logger = pino({ level: 'silent' })
  const a = await createHost(config, { privateKey: await generateKeyPair('Ed25519'), logger })
  const b = await createHost(config, { privateKey: await generateKeyPair('Ed25519'), logger })
  // libp2p 3 streams buffer every send() without limit: pace with acknowledgements (one byte
  // per ACK_EVERY received, at most WINDOW unacknowledged).
  const ACK_EVERY = MiB
  const WINDOW = 4 * MiB
  const done = new Promise<void>((resolve) => {
    void b.handle(PROTOCOL, async (stream: Stream) => {
      let bytes = 0
      for await (const chunk of stream) {
        const before = Math.floor(bytes / ACK_EVERY)
        bytes += chunk.byteLength
        for (let i = before; i < Math.floor(bytes / ACK_EVERY); i++) stream.send(new Uint8Array([1]))
      }
      resolve()
    })
  })
  const start = performance.now()
  const stream = await a.dialProtocol(b.getMultiaddrs()[0] as never, PROTOCOL)
  let acked = 0
  let wake: (() => void) | undefined
  stream.addEventListener('message', (evt) => {
    acked += evt.data.byteLength * ACK_EVERY
    wake?.()
  })
  const block = new Uint8Array(256 * 1024)
  for (let sent = 0; sent < total; sent += block.length) {
    while (sent - acked >= WINDOW) {
      await new Promise<void>((resolve) => {
        wake = resolve
      })
    }
    stream.send(block.slice())
  }
  await stream.close()
  await done
  const seconds = (performance.now() - start) / 1000
  await a.stop()
  await b.stop()
  return total / MiB / seconds
}

const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
console.log(`pnet: xsalsa20 keystream (pure JS, one core): ${keystream().toFixed(0)} MiB/s`)
console.log(`pnet: 256 MiB over one connection, no secret (noise+yamux only): ${(await transfer('', 256 * MiB)).toFixed(0)} MiB/s`)
console.log(`pnet: 256 MiB over one connection, private network: ${(await transfer(secret, 256 * MiB)).toFixed(0)} MiB/s`)
