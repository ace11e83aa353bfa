import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
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
