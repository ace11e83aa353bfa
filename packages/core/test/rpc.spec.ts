/**
 * The RPC protocol between two real libp2p hosts on loopback, with a small local handler on the
 * callee (a unit test of the RPC code): validated results, streamed calls, the trust policy,
 * and answers that fail validation on the caller's side.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { ID, PinInfo } from '@pinmesh/interface'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClusterHost,
  createHost,
  createRpcClient,
  createRpcServer,
  createTrustPolicy,
  parseClusterConfig,
  parseRequest,
  RpcInvalidRequestError,
} from '../src/index.js'

const logger = pino({ level: 'silent' })
const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

function info(peer: string, cid = CID): PinInfo {
  return {
    cid,
    name: 'n',
    peer,
    allocations: [],
    origins: [],
    created: '2026-01-01T00:00:00Z',
    metadata: null,
    peername: 'callee',
    status: 'pinned',
    timestamp: '2026-01-01T00:00:00Z',
    error: '',
    attempt_count: 0,
    priority_pin: false,
  }
}

describe('RPC over libp2p', () => {
  let callee: ClusterHost
  let trusted: ClusterHost
  let untrusted: ClusterHost
  let calleeId: string

  beforeAll(async () => {
    const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
    const config = parseClusterConfig({ secret, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'], mdns_interval: '0s' })
    const make = async () => createHost(config, { privateKey: await generateKeyPair('Ed25519'), logger })
    ;[callee, trusted, untrusted] = await Promise.all([make(), make(), make()])
    calleeId = callee.peerId.toString()
    const removed = { has: () => false }
    const policy = createTrustPolicy([trusted.peerId.toString()], removed)
    let broken = false
    const server = createRpcServer(
      { request_timeout: 5000, call_timeout: 10_000 },
      {
        libp2p: callee,
        policy,
        logger,
        handlers: {
          id: async () =>
            ({
              id: calleeId,
              addresses: [],
              cluster_peers: [calleeId],
              cluster_peers_addresses: [],
              version: '1.1.6',
              commit: '',
              rpc_protocol_version: '/pinmesh/rpc/1.0.0',
              error: '',
              ipfs: { addresses: null, error: '' },
              peername: 'callee',
            }) as ID,
          version: () => '1.1.6',
          status: async (cid) => {
            if (cid !== CID) throw new Error('boom')
            // The second call answers something that is not a PinInfo.
            if (broken) return { ...info(calleeId), status: 'sleeping' } as unknown as PinInfo
            broken = true
            return info(calleeId)
          },
          statusAll: async function* () {
            yield info(calleeId)
            yield info(calleeId, 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6')
          },
          recover: async () => info(calleeId),
          // More items than the caller's credit (256): the callee must wait for credit frames.
          recoverAll: async function* () {
            for (let i = 0; i < 1000; i++) yield { ...info(calleeId), name: `n${i}` }
          },
          repoGc: async () => ({ peer: calleeId, peername: 'callee', keys: [{ key: CID }] }),
        },
      },
    )
    await server.start()
    await trusted.dial(callee.getMultiaddrs()[0] as never)
    await untrusted.dial(callee.getMultiaddrs()[0] as never)
  })

  afterAll(async () => {
    await Promise.all([callee, trusted, untrusted].map(async (h) => h?.stop()))
  })

  it('serves unary and streamed calls to a trusted peer, validating the answers', async () => {
    const rpc = createRpcClient({ timeout: 5000 }, { libp2p: trusted })
    expect((await rpc.id(calleeId)).peername).toBe('callee')
    expect((await rpc.status(calleeId, CID)).status).toBe('pinned')
    const all: string[] = []
    for await (const i of rpc.statusAll(calleeId, 0)) all.push(i.cid)
    expect(all).toHaveLength(2)
    expect((await rpc.repoGc(calleeId)).keys).toEqual([{ key: CID }])
    const recovered: string[] = []
    for await (const i of rpc.recoverAll(calleeId)) {
      recovered.push(i.name)
      // A slow consumer: the callee may not run ahead of the credit it was given.
      if (recovered.length % 200 === 0) await new Promise((r) => setTimeout(r, 20))
    }
    expect(recovered).toHaveLength(1000)
    expect(recovered[999]).toBe('n999')
    // An answer that is not a PinInfo is rejected on the caller's side.
    await expect(rpc.status(calleeId, CID)).rejects.toThrow(/answered an invalid value/)
    // Errors of the handler come back with the peer named.
    await expect(rpc.status(calleeId, 'QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6')).rejects.toThrow(`peer ${calleeId}: boom`)
  })

  it('lets untrusted peers call only the open methods', async () => {
    const rpc = createRpcClient({ timeout: 5000 }, { libp2p: untrusted })
    expect((await rpc.id(calleeId)).id).toBe(calleeId)
    await expect(rpc.status(calleeId, CID)).rejects.toMatchObject({ name: 'RpcUnauthorizedError' })
    await expect(rpc.repoGc(calleeId)).rejects.toMatchObject({ name: 'RpcUnauthorizedError' })
    const stream = rpc.statusAll(calleeId, 0)
    await expect(stream.next()).rejects.toMatchObject({ name: 'RpcUnauthorizedError' })
  })

  it('fails cleanly when the peer cannot be reached', async () => {
    const rpc = createRpcClient({ timeout: 2000 }, { libp2p: trusted })
    const stranger = (await generateKeyPair('Ed25519')).publicKey.toString()
    await expect(rpc.id(stranger)).rejects.toThrow(/cannot reach peer|rpc id to peer/)
  })
})

describe('parseRequest', () => {
  it.each([
    [{ method: 'id' }, { method: 'id', args: {}, credit: 64 }],
    [
      { method: 'statusAll', credit: 256 },
      { method: 'statusAll', args: { filter: 0 }, credit: 256 },
    ],
    [
      { method: 'status', args: { cid: CID } },
      { method: 'status', args: { cid: CID }, credit: 64 },
    ],
  ])('accepts %j', (frame, expected) => {
    expect(parseRequest(frame)).toEqual(expected)
  })

  it.each([
    [{}],
    [{ method: 'rm' }],
    [{ method: 'status' }],
    [{ method: 'status', args: [] }],
    [{ method: 'statusAll', args: { filter: 1.5 } }],
    [{ method: 'statusAll', credit: 0 }],
    [{ method: 'statusAll', credit: 'lots' }],
  ])('rejects %j', (frame) => {
    expect(() => parseRequest(frame as Record<string, unknown>)).toThrow(RpcInvalidRequestError)
  })
})
