import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultServiceJson } from '../src/config/defaults.js'
import { CRDT_ENV_DEFAULTS, readPinsetConfig } from '../src/state/pinset-config.js'

describe('state commands read the pinset config like the daemon', () => {
  it('mirrors the consensus.crdt defaults that init writes', () => {
    const crdt = (defaultServiceJson({ peername: 'x', secret: '' }).consensus as { crdt: unknown }).crdt
    expect(CRDT_ENV_DEFAULTS).toEqual(crdt)
  })

  it('takes shards from service.json, CLUSTER_CRDT_* overrides, and names bad values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinmesh-state-config-'))
    try {
      expect((await readPinsetConfig(dir, join(dir, 'pinset'), {})).shards).toBe(64)
      await writeFile(join(dir, 'service.json'), JSON.stringify({ consensus: { crdt: { shards: 8, cluster_name: 'c' } } }))
      const config = await readPinsetConfig(dir, join(dir, 'pinset'), {})
      expect(config).toMatchObject({ shards: 8, cluster_name: 'c', path: join(dir, 'pinset') })
      expect((await readPinsetConfig(dir, join(dir, 'pinset'), { CLUSTER_CRDT_SHARDS: '16' })).shards).toBe(16)
      await expect(readPinsetConfig(dir, join(dir, 'pinset'), { CLUSTER_CRDT_SHARDS: 'many' })).rejects.toThrow(/consensus\.crdt\.shards/)
      await writeFile(join(dir, 'service.json'), '{ nope')
      await expect(readPinsetConfig(dir, join(dir, 'pinset'), {})).rejects.toThrow(/service\.json must be valid JSON/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
