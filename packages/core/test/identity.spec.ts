import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { withCachedSigningKey } from '../src/identity.js'
import { loadOrCreateIdentity } from '../src/index.js'

describe('identity', () => {
  const dirs: string[] = []
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  it('creates identity.json once, then reads it; CLUSTER_PRIVATEKEY / CLUSTER_ID override it', async () => {
    const a = await mkdtemp(join(tmpdir(), 'pinmesh-id-'))
    const b = await mkdtemp(join(tmpdir(), 'pinmesh-id-'))
    dirs.push(a, b)
    const first = await loadOrCreateIdentity(a)
    expect((await loadOrCreateIdentity(a)).id).toBe(first.id)
    const other = await loadOrCreateIdentity(b)
    const file = JSON.parse(await readFile(join(b, 'identity.json'), 'utf8')) as { id: string; private_key: string }
    expect((await loadOrCreateIdentity(a, { CLUSTER_PRIVATEKEY: file.private_key })).id).toBe(other.id)
    expect((await loadOrCreateIdentity(a, { CLUSTER_PRIVATEKEY: file.private_key, CLUSTER_ID: other.id })).id).toBe(other.id)
    await expect(loadOrCreateIdentity(a, { CLUSTER_PRIVATEKEY: file.private_key, CLUSTER_ID: first.id })).rejects.toThrow(
      'invalid configuration: CLUSTER_ID does not match the private key',
    )
    await expect(loadOrCreateIdentity(a, { CLUSTER_PRIVATEKEY: 'bm90IGEga2V5' })).rejects.toThrow(
      'invalid configuration: CLUSTER_PRIVATEKEY must be a base64 protobuf',
    )
  })
})

describe('withCachedSigningKey', () => {
  it('signs exactly as the libp2p key does (Ed25519 is deterministic), for bytes and byte lists', async () => {
    const { generateKeyPair, privateKeyFromRaw } = await import('@libp2p/crypto/keys')
    const { Uint8ArrayList } = await import('uint8arraylist')
    const key = await generateKeyPair('Ed25519')
    const plain = privateKeyFromRaw(key.raw)
    const fast = withCachedSigningKey(privateKeyFromRaw(key.raw))
    for (const message of [new Uint8Array(0), new TextEncoder().encode('pinmesh gossip'), crypto.getRandomValues(new Uint8Array(4096))]) {
      const expected = await plain.sign(message)
      expect(Buffer.from(await fast.sign(message)).equals(Buffer.from(expected))).toBe(true)
      expect(await key.publicKey.verify(message, await fast.sign(message))).toBe(true)
      const list = new Uint8ArrayList(message.subarray(0, 7), message.subarray(7))
      expect(Buffer.from(await fast.sign(list)).equals(Buffer.from(expected))).toBe(true)
    }
    const aborted = AbortSignal.abort()
    expect(() => fast.sign(new Uint8Array(1), { signal: aborted })).toThrow()
  })

  it('is what loaded identities sign with', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinmesh-identity-'))
    const identity = await loadOrCreateIdentity(dir)
    expect(Object.hasOwn(identity.privateKey, 'sign')).toBe(true)
    const again = await loadOrCreateIdentity(dir)
    expect(Object.hasOwn(again.privateKey, 'sign')).toBe(true)
    await rm(dir, { recursive: true, force: true })
  })
})
