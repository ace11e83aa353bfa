/**
 * Loads the peer's configuration from its folder: `service.json` (created with defaults by an
 * implicit `init` when absent), `CLUSTER_*` environment overrides, then every section through
 * its parser (`sections.ts`). Anything invalid fails here, before the peer starts, with an
 * `InvalidConfigError` naming the key and what was expected.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ClusterSectionConfig } from '@pinmesh/core'
import { InvalidConfigError } from '@pinmesh/interface'
import { defaultServiceJson } from './defaults.js'
import { applyEnvOverrides } from './env.js'
import { initConfig } from './init.js'
import { SECTION_PARSERS } from './sections.js'

export interface LoadedConfig {
  /** The parsed `cluster` section. */
  cluster: ClusterSectionConfig
  /** `section.component` → parsed value (or the loaded JSON where no parser exists yet). */
  components: Record<string, unknown>
  /** The JSON after env overrides. */
  json: Record<string, unknown>
  /** True when this load ran `init` because `service.json` was missing. */
  initialized: boolean
}

export const SERVICE_FILE = 'service.json'

/** Reads, overrides and validates the configuration in `dir`. */
export async function loadConfig(dir: string, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => {}): Promise<LoadedConfig> {
  const file = join(dir, SERVICE_FILE)
  let text: string | undefined
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  let initialized = false
  if (text === undefined) {
    await initConfig(dir, { env, log })
    text = await readFile(file, 'utf8')
    initialized = true
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidConfigError(file, `must be valid JSON (${(err as Error).message})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidConfigError(file, 'must be a JSON object')
  const obj = json as Record<string, unknown>
  if (obj.source !== undefined)
    throw new InvalidConfigError(`${file} source`, 'is not supported by pinmesh (remote configuration); write the configuration into the file')
  // Env overrides apply to every key of the defaults, plus the cluster keys `init` writes only
  // when they differ from their default (reference §5.2), so CLUSTER_FOLLOWERMODE works too.
  const envDefaults = defaultServiceJson({ peername: 'x', secret: '' })
  envDefaults.cluster = { follower_mode: false, ...(envDefaults.cluster as Record<string, unknown>) }
  applyEnvOverrides(obj, envDefaults, env)
  const components: Record<string, unknown> = {}
  for (const [section, value] of Object.entries(obj)) {
    if (section === 'cluster') continue
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      if (section === 'state') continue
      throw new InvalidConfigError(section, `must be a JSON object of components, got ${JSON.stringify(value)}`)
    }
    for (const [component, raw] of Object.entries(value as Record<string, unknown>)) {
      const key = `${section}.${component}`
      const parser = SECTION_PARSERS[key]
      components[key] = parser !== undefined ? parser(raw, key) : raw
    }
  }
  const cluster = (SECTION_PARSERS.cluster as (v: unknown, p: string) => ClusterSectionConfig)(obj.cluster, 'cluster')
  return { cluster, components, json: obj, initialized }
}
