/**
 * Environment overrides with upstream's names (reference §5.1): the `cluster` section's keys are
 * `CLUSTER_<KEY>`, every other component's keys `CLUSTER_<COMPONENT>_<KEY>`, the key being the
 * JSON key without underscores, upper-cased (`CLUSTER_MONITORPINGINTERVAL`,
 * `CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS`, `CLUSTER_CRDT_TRUSTEDPEERS`). Keys of nested objects
 * add one more level (`CLUSTER_CONNECTIONMANAGER_HIGHWATER`). Values are converted to the type
 * of the value they replace: lists are comma-separated, objects are JSON.
 */
import { InvalidConfigError } from '@pinmesh/interface'

type Json = Record<string, unknown>

export function envKey(key: string): string {
  return key.replace(/_/g, '').toUpperCase()
}

function coerce(text: string, like: unknown, path: string, name: string): unknown {
  const where = `${path} (from ${name})`
  if (Array.isArray(like)) {
    return text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
  }
  if (typeof like === 'number') {
    const n = Number(text)
    if (text.trim() === '' || Number.isNaN(n)) throw new InvalidConfigError(where, `must be a number, got ${JSON.stringify(text)}`)
    return n
  }
  if (typeof like === 'boolean') {
    if (/^(true|1)$/i.test(text)) return true
    if (/^(false|0)$/i.test(text)) return false
    throw new InvalidConfigError(where, `must be true or false, got ${JSON.stringify(text)}`)
  }
  if (typeof like === 'object' && like !== null) {
    try {
      return JSON.parse(text)
    } catch {
      throw new InvalidConfigError(where, `must be JSON, got ${JSON.stringify(text)}`)
    }
  }
  return text
}

function applyTo(target: Json, defaults: Json, prefix: string, path: string, env: NodeJS.ProcessEnv): void {
  const keys = new Set([...Object.keys(defaults), ...Object.keys(target)])
  for (const key of keys) {
    const name = `${prefix}_${envKey(key)}`
    const current = target[key] ?? defaults[key]
    const value = env[name]
    if (value !== undefined) {
      target[key] = coerce(value, current, `${path}.${key}`, name)
      continue
    }
    if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      const nested = (typeof target[key] === 'object' && target[key] !== null ? target[key] : structuredClone(current)) as Json
      const before = JSON.stringify(nested)
      applyTo(nested, (defaults[key] ?? {}) as Json, name, `${path}.${key}`, env)
      if (JSON.stringify(nested) !== before) target[key] = nested
    }
  }
}

/**
 * Applies `CLUSTER_*` variables to a loaded `service.json` in place. `defaults` supplies the
 * keys (and types) of values the file leaves out.
 */
export function applyEnvOverrides(json: Json, defaults: Json, env: NodeJS.ProcessEnv): Json {
  const cluster = (json.cluster ?? {}) as Json
  json.cluster = cluster
  applyTo(cluster, (defaults.cluster ?? {}) as Json, 'CLUSTER', 'cluster', env)
  for (const [section, components] of Object.entries(defaults)) {
    if (section === 'cluster' || typeof components !== 'object' || components === null) continue
    const fileSection = (json[section] ?? undefined) as Json | undefined
    const names = new Set([...Object.keys(components), ...Object.keys(fileSection ?? {})])
    for (const component of names) {
      const target = (fileSection?.[component] ?? {}) as Json
      if (typeof target !== 'object' || Array.isArray(target)) continue
      const before = JSON.stringify(target)
      applyTo(target, ((components as Json)[component] ?? {}) as Json, `CLUSTER_${envKey(component)}`, `${section}.${component}`, env)
      if (JSON.stringify(target) !== before) {
        const s = (json[section] ?? {}) as Json
        s[component] = target
        json[section] = s
      }
    }
  }
  return json
}
