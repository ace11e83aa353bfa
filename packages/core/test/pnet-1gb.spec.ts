/**
 * More than 1 GB through one private-network connection between two real libp2p hosts on
 * loopback. @libp2p/pnet 3.0.27 kills the process with `WebAssembly.Memory.grow()` after a few
 * hundred MB (its WASM xsalsa20 grows shared memory on every update); ours must carry it all,
 * byte for byte (checked with SHA-256 on both sides).
 */
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Stream } from '@libp2p/interface'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { type ClusterHost, createHost, parseClusterConfig } from '../src/index.js'

const PROTOCOL = '/pinmesh/test/sink/1.0.0'
const TOTAL = 1000 * 1024 * 1024 // 1.05 GB
const CHUNK = 256 * 1024
const ACK_EVERY = 1024 * 1024
const WINDOW = 4 * 1024 * 1024

describe('private network under sustained traffic', () => {
  const hosts: ClusterHost[] = []
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()))
  })

  it(`carries ${TOTAL / 1024 / 1024} MiB through one connection`, { timeout: 600_000 }, async () => {
    const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
    const config = parseClusterConfig({ secret, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'], mdns_interval: '0s' })
    const logger = pino({ level: 'silent' })
    const sender = await createHost(config, { privateKey: await generateKeyPair('Ed25519'), logger })
    const receiver = await createHost(config, { privateKey: await generateKeyPair('Ed25519'), logger })
    hosts.push(sender, receiver)

    // libp2p 3 streams buffer every `send()` without limit, so the test paces itself: the
    // receiver acknowledges every ACK_EVERY bytes and the sender keeps at most WINDOW unacknowledged.
    const received = new Promise<{ bytes: number; digest: string }>((resolve, reject) => {
      void receiver.handle(PROTOCOL, async (stream: Stream) => {
        const hash = createHash('sha256')
        let bytes = 0
        try {
          for await (const chunk of stream) {
            const buf = chunk instanceof Uint8Array ? chunk : chunk.subarray()
            hash.update(buf)
            const before = Math.floor(bytes / ACK_EVERY)
            bytes += buf.byteLength
            for (let i = before; i < Math.floor(bytes / ACK_EVERY); i++) stream.send(new Uint8Array([1]))
          }
          resolve({ bytes, digest: hash.digest('hex') })
        } catch (err) {
          reject(err)
        }
      })
    })

    const started = Date.now()
    const stream = await sender.dialProtocol(receiver.getMultiaddrs()[0] as never, PROTOCOL)
    let acked = 0
    let wake: (() => void) | undefined
    stream.addEventListener('message', (evt) => {
      acked += evt.data.byteLength * ACK_EVERY
      wake?.()
    })
    const sent = createHash('sha256')
    const block = new Uint8Array(CHUNK)
    for (let offset = 0; offset < TOTAL; offset += CHUNK) {
      // Vary the content so a keystream slip would show up in the digest.
      new DataView(block.buffer).setUint32(0, offset)
      sent.update(block)
      while (offset - acked >= WINDOW) {
        await new Promise<void>((resolve, reject) => {
          wake = resolve
          stream.addEventListener('close', () => reject(new Error('stream closed while sending')), { once: true })
        })
      }
      stream.send(block.slice())
    }
    await stream.close()
    const result = await received
    const seconds = (Date.now() - started) / 1000
    expect(result.bytes).toBe(TOTAL)
    expect(result.digest).toBe(sent.digest('hex'))
    // A figure for BENCHMARKS.md, not an assertion.
    process.stdout.write(
      `pnet: ${TOTAL / 1024 / 1024} MiB in ${seconds.toFixed(1)} s (${(TOTAL / 1024 / 1024 / seconds).toFixed(0)} MiB/s), rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
    )
  })
})
