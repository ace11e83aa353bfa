/**
 * The pinset configuration of a peer folder, read as the daemon reads it (`consensus.crdt` of
 * `service.json`, then `CLUSTER_CRDT_*` overrides) but without loading the rest of the peer:
 * the state commands only open the pinset, and the libp2p and HTTP stacks take seconds to import.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidConfigError } from '@pinmesh/interface'
import { type PinsetConfig, parsePinsetConfig } from '@pinmesh/pinset'
import { applyEnvOverrides } from '../config/env.js'

type Json = Record<string, unknown>

const SERVICE_FILE = 'service.json'

/**
 * The `consensus.crdt` defaults of `config/defaults.ts` (which `init` writes), mirrored here so
 * `CLUSTER_CRDT_*` variables apply to exactly the keys they apply to in the daemon. A unit test
 * keeps the two equal.
 */
export const CRDT_ENV_DEFAULTS: Json = {
  cluster_name: 'ipfs-cluster',
  trusted_peers: ['*'],
  batching: { max_batch_size: 1000, max_batch_age: '20ms', max_queue_size: 50000 },
  repair_interval: '1h0m0s',
}

/** Reads `<configDir>/service.json` (defaults when absent) for the pinset stored in `folder`. */
export async function readPinsetConfig(configDir: string, folder: string, env: NodeJS.ProcessEnv = process.env): Promise<PinsetConfig> {
  const file = join(configDir, SERVICE_FILE)
  let json: Json = {}
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidConfigError(file, 'must be a JSON object')
    json = parsed as Json
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof InvalidConfigError) throw err
      throw new InvalidConfigError(file, `must be valid JSON (${(err as Error).message})`)
    }
  }
  const crdt = ((json.consensus as Json | undefined)?.crdt ?? {}) as Json
  const defaults = { consensus: { crdt: structuredClone(CRDT_ENV_DEFAULTS) } }
  const view: Json = { consensus: { crdt: structuredClone(crdt) } }
  applyEnvOverrides(view, defaults, env)
  return { ...parsePinsetConfig((view.consensus as Json).crdt, 'consensus.crdt', folder), path: folder }
}
