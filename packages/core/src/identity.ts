/**
 * The peer's identity (`identity.json`, upstream's format): `{"id": "<peer id>", "private_key":
 * "<base64 of the protobuf-encoded libp2p private key>"}`. Ed25519 keys are generated.
 */
import { createPrivateKey, sign as signWith } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { AbortOptions, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { InvalidConfigError } from '@pinmesh/interface'

export interface Identity {
  id: string
  privateKey: PrivateKey
}

/**
 * Makes `key.sign` reuse one Node `KeyObject`. @libp2p/crypto's Ed25519 key imports itself from
 * JWK on every signature (~0.2 ms, more than the signing), and gossipsub signs every message the
 * peer publishes — a pinset commit, a metric. Ed25519 signatures are deterministic, so the bytes
 * are the library's own (tested). Other key types are left alone.
 */
export function withCachedSigningKey(key: PrivateKey): PrivateKey {
  if (key.type !== 'Ed25519') return key
  const keyObject = createPrivateKey({
    format: 'jwk',
    key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(key.raw.subarray(0, 32)).toString('base64url'), x: Buffer.from(key.publicKey.raw).toString('base64url') },
  })
  const sign = (message: Uint8Array | { subarray(): Uint8Array }, options?: AbortOptions): Uint8Array => {
    options?.signal?.throwIfAborted()
    return signWith(null, message instanceof Uint8Array ? message : message.subarray(), keyObject)
  }
  Object.defineProperty(key, 'sign', { value: sign, configurable: true, writable: true })
  return key
}

/** An identity from a base64 private key (and optional expected ID); `source` names them in errors. */
export function identityFromKey(privateKeyBase64: string, expectedId: string | undefined, source: { key: string; id: string }): Identity {
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(Buffer.from(privateKeyBase64, 'base64'))
  } catch (err) {
    throw new InvalidConfigError(source.key, `must be a base64 protobuf-encoded libp2p private key (${(err as Error).message})`)
  }
  const id = peerIdFromPrivateKey(privateKey).toString()
  if (expectedId !== undefined && expectedId !== '' && expectedId !== id)
    throw new InvalidConfigError(source.id, `does not match the private key (key is for ${id})`)
  return { id, privateKey: withCachedSigningKey(privateKey) }
}

/**
 * Reads `identity.json` in `dir`, or creates it with a fresh Ed25519 key when absent.
 * `CLUSTER_PRIVATEKEY` (and `CLUSTER_ID`, checked against it) in `env` override the file, as
 * upstream.
 */
export async function loadOrCreateIdentity(dir: string, env: Record<string, string | undefined> = {}): Promise<Identity> {
  if (env.CLUSTER_PRIVATEKEY !== undefined && env.CLUSTER_PRIVATEKEY !== '') {
    return identityFromKey(env.CLUSTER_PRIVATEKEY, env.CLUSTER_ID, { key: 'CLUSTER_PRIVATEKEY', id: 'CLUSTER_ID' })
  }
  const file = join(dir, 'identity.json')
  let text: string | undefined
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (text === undefined) {
    const privateKey = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(privateKey).toString()
    await writeFile(file, `${JSON.stringify({ id, private_key: Buffer.from(privateKeyToProtobuf(privateKey)).toString('base64') }, null, 2)}\n`, {
      mode: 0o600,
    })
    return { id, privateKey: withCachedSigningKey(privateKey) }
  }
  let parsed: { id?: unknown; private_key?: unknown }
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new InvalidConfigError('identity.json', `must be valid JSON (${(err as Error).message})`)
  }
  if (typeof parsed.private_key !== 'string') throw new InvalidConfigError('identity.json private_key', 'must be a base64 string')
  return identityFromKey(parsed.private_key, typeof parsed.id === 'string' ? parsed.id : undefined, {
    key: 'identity.json private_key',
    id: 'identity.json id',
  })
}
