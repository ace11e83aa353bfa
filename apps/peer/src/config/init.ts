/**
 * `pinmesh init`: writes `service.json` (defaults + `CLUSTER_*` overrides, a fresh 32-byte
 * secret), `identity.json` (only when absent) and an empty or `--peers`-filled `peerstore`.
 */
import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { loadOrCreateIdentity, writePeerstoreFile } from '@pinmesh/core'
import { InvalidConfigError } from '@pinmesh/interface'
import { defaultServiceJson } from './defaults.js'
import { applyEnvOverrides } from './env.js'

export interface InitOptions {
  env?: NodeJS.ProcessEnv
  /** Overwrite an existing `service.json`. */
  force?: boolean
  /** Multiaddresses (with `/p2p/`) written to `peerstore`; their IDs become the trusted peers. */
  peers?: string[]
  log?: (line: string) => void
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  )
}

export async function initConfig(dir: string, options: InitOptions = {}): Promise<void> {
  const log = options.log ?? (() => {})
  const env = options.env ?? process.env
  await mkdir(dir, { recursive: true })
  const file = join(dir, 'service.json')
  if (!options.force && (await exists(file))) {
    throw new InvalidConfigError(file, 'already exists; use `pinmesh init --force` to overwrite it')
  }
  const peers = options.peers ?? []
  const ids = peers.map((addr, i) => {
    try {
      const id = multiaddr(addr)
        .getComponents()
        .findLast((c) => c.name === 'p2p')?.value
      if (id === undefined) throw new Error('it has no /p2p/<peer id>')
      return id
    } catch (err) {
      throw new InvalidConfigError(`--peers[${i}]`, `must be a multiaddress ending in /p2p/<peer id>, got ${JSON.stringify(addr)} (${(err as Error).message})`)
    }
  })
  const json = defaultServiceJson(ids.length > 0 ? { trustedPeers: ids } : {})
  applyEnvOverrides(json, defaultServiceJson({ secret: '' }), env)
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 })
  log(`configuration written to ${file}`)
  const identityFile = join(dir, 'identity.json')
  if (!(await exists(identityFile))) {
    await loadOrCreateIdentity(dir)
    log(`new identity written to ${identityFile}`)
  }
  const peerstore = join(dir, 'peerstore')
  await writePeerstoreFile(peerstore, peers)
  log(peers.length > 0 ? `peerstore written to ${peerstore} with ${peers.length} entries.` : `new empty peerstore written to ${peerstore}`)
}
