/**
 * The inter-peer RPC protocol against a real daemon: a peer holding the secret asks for the
 * daemon's ID and status; malformed frames are answered with an error frame (or the stream is
 * reset) and the daemon keeps serving.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { type ClusterHost, createHost, createRpcClient, parseClusterConfig } from '@pinmesh/core'
import { decodeId, parseJson, RPC_PROTOCOL } from '@pinmesh/interface'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PeerProcess, startPeer } from '../helpers/peer.js'

describe('inter-peer RPC against a real daemon', () => {
  let peer: PeerProcess
  let host: ClusterHost
  let peerId: string
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')

  beforeAll(async () => {
    peer = await startPeer({ env: { CLUSTER_SECRET: secret } })
    const id = decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
    peerId = id.id
    const config = parseClusterConfig({ secret, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'], mdns_interval: '0s' })
    host = await createHost(config, { privateKey: await generateKeyPair('Ed25519'), logger: pino({ level: 'silent' }) })
    await host.dial(multiaddr(id.addresses?.[0] as string))
  })

  afterAll(async () => {
    await host?.stop()
    await peer?.kill()
  })

  async function rawCall(frames: Uint8Array[]): Promise<string> {
    const stream = await host.dialProtocol(multiaddr(`${await hostAddr()}`), RPC_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: 8 * 1024 * 1024 })
    for (const f of frames) await lp.write(f)
    try {
      return new TextDecoder().decode((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray())
    } catch (err) {
      return `stream error: ${(err as Error).message}`
    }
  }

  async function hostAddr(): Promise<string> {
    const id = decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
    return id.addresses?.[0] as string
  }

  it('answers id and status calls with validated values', async () => {
    const rpc = createRpcClient({ timeout: 10_000 }, { libp2p: host })
    const id = await rpc.id(peerId)
    expect(id.id).toBe(peerId)
    const status = await rpc.status(peerId, 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
    expect(status.status).toBe('unpinned')
    expect(status.peer).toBe(peerId)
    const all: unknown[] = []
    for await (const info of rpc.statusAll(peerId, 0)) all.push(info)
    expect(all).toEqual([])
  })

  it('rejects malformed frames with an error frame and keeps running', async () => {
    const enc = (s: string) => new TextEncoder().encode(s)
    expect(await rawCall([enc('not json at all')])).toMatch(/"name":"RpcInvalidRequestError".*not UTF-8 JSON/)
    expect(await rawCall([enc('[1,2,3]')])).toMatch(/frame must be a JSON object/)
    expect(await rawCall([enc('{"method":"shutdown"}')])).toMatch(/method must be one of/)
    expect(await rawCall([enc('{"method":"status","args":{"cid":"not-a-cid"}}')])).toMatch(/args\.cid/)
    expect(await rawCall([enc('{"method":"statusAll","args":{"filter":-1}}')])).toMatch(/args\.filter/)
    expect(await rawCall([new Uint8Array([0xff, 0xfe, 0x00])])).toMatch(/RpcInvalidRequestError/)
    // A frame larger than the limit: the daemon refuses it without reading it all.
    expect(await rawCall([new Uint8Array(5 * 1024 * 1024)])).toMatch(/RpcInvalidRequestError|stream error/)
    expect((await fetch(`${peer.api}/health`)).status).toBe(204)
    const rpc = createRpcClient({ timeout: 10_000 }, { libp2p: host })
    expect((await rpc.id(peerId)).id).toBe(peerId)
  })
})
