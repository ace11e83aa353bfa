/**
 * The config loader: `CLUSTER_*` overrides with upstream's names, Go durations, errors naming
 * the key path, implicit init, pass-through of sections without a parser.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultServiceJson } from '../src/config/defaults.js'
import { applyEnvOverrides, envKey } from '../src/config/env.js'
import { loadConfig } from '../src/config/load.js'

const dirs: string[] = []
async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'pinmesh-config-'))
  dirs.push(d)
  return d
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

describe('env overrides', () => {
  it('names variables as upstream does', () => {
    expect(envKey('http_listen_multiaddress')).toBe('HTTPLISTENMULTIADDRESS')
    expect(envKey('monitor_ping_interval')).toBe('MONITORPINGINTERVAL')
  })

  it('converts values to the type of the value they replace', () => {
    const json = defaultServiceJson({ peername: 'a', secret: '' })
    applyEnvOverrides(json, defaultServiceJson({ peername: 'a', secret: '' }), {
      CLUSTER_PEERNAME: 'b',
      CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2',
      CLUSTER_REPLICATIONFACTORMIN: '2',
      CLUSTER_REPLICATIONFACTORMAX: '3',
      CLUSTER_DISABLEREPINNING: 'false',
      CLUSTER_CONNECTIONMANAGER_HIGHWATER: '50',
      CLUSTER_CRDT_TRUSTEDPEERS: 'p1,p2',
      CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/9999',
      CLUSTER_PUBSUBMON_CHECKINTERVAL: '2s',
    })
    const cluster = json.cluster as Record<string, unknown>
    expect(cluster.peername).toBe('b')
    expect(cluster.listen_multiaddress).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    expect(cluster.replication_factor_min).toBe(2)
    expect(cluster.disable_repinning).toBe(false)
    expect((cluster.connection_manager as Record<string, unknown>).high_water).toBe(50)
    expect((json.consensus as { crdt: { trusted_peers: string[] } }).crdt.trusted_peers).toEqual(['p1', 'p2'])
    expect((json.api as { restapi: { http_listen_multiaddress: string } }).restapi.http_listen_multiaddress).toBe('/ip4/127.0.0.1/tcp/9999')
    expect((json.monitor as { pubsubmon: { check_interval: string } }).pubsubmon.check_interval).toBe('2s')
  })

  it('fills keys the file leaves out, and creates absent sections only when overridden', () => {
    const json: Record<string, unknown> = { cluster: { peername: 'x' } }
    applyEnvOverrides(json, defaultServiceJson({ secret: '' }), { CLUSTER_MDNSINTERVAL: '0s', CLUSTER_CRDT_CLUSTERNAME: 'blue' })
    expect(json.cluster).toEqual({ peername: 'x', mdns_interval: '0s' })
    expect(json.consensus).toEqual({ crdt: { cluster_name: 'blue' } })
    expect(json.api).toBeUndefined()
  })

  it('names the key and the variable when a value cannot be converted', () => {
    const json = defaultServiceJson({ secret: '' })
    expect(() => applyEnvOverrides(json, defaultServiceJson({ secret: '' }), { CLUSTER_DISABLEREPINNING: 'maybe' })).toThrow(
      'invalid configuration: cluster.disable_repinning (from CLUSTER_DISABLEREPINNING) must be true or false, got "maybe"',
    )
  })
})

describe('loadConfig', () => {
  it('runs init when service.json is missing and parses durations', async () => {
    const d = await dir()
    const loaded = await loadConfig(d, { CLUSTER_MONITORPINGINTERVAL: '1m30s' })
    expect(loaded.initialized).toBe(true)
    expect(loaded.cluster.monitor_ping_interval).toBe(90_000)
    expect(loaded.cluster.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(loaded.components['monitor.pubsubmon']).toEqual({ check_interval: 15_000 })
    // A section without a parser (yet) is passed through as loaded.
    expect(loaded.components['consensus.crdt']).toMatchObject({ cluster_name: 'ipfs-cluster', trusted_peers: ['*'] })
    // The secret written by init is kept across loads.
    const again = await loadConfig(d, {})
    expect(again.initialized).toBe(false)
    expect(again.cluster.secret).toBe(loaded.cluster.secret)
  })

  it('honours CLUSTER_FOLLOWERMODE although init does not write follower_mode (upstream writes it only when set)', async () => {
    const d = await dir()
    expect((await loadConfig(d, {})).cluster.follower_mode).toBe(false)
    expect(JSON.parse(await readFile(join(d, 'service.json'), 'utf8')).cluster.follower_mode).toBeUndefined()
    expect((await loadConfig(d, { CLUSTER_FOLLOWERMODE: 'true' })).cluster.follower_mode).toBe(true)
    await expect(loadConfig(d, { CLUSTER_FOLLOWERMODE: 'maybe' })).rejects.toThrow(/cluster\.follower_mode/)
  })

  it('accepts a single multiaddress string and ignores unknown keys', async () => {
    const d = await dir()
    await writeFile(join(d, 'service.json'), JSON.stringify({ cluster: { listen_multiaddress: '/ip4/127.0.0.1/tcp/4000', replication_factor: 2, secret: '' } }))
    const loaded = await loadConfig(d, {})
    expect(loaded.cluster.listen_multiaddress).toEqual(['/ip4/127.0.0.1/tcp/4000'])
    expect(loaded.cluster.secret).toBe('')
  })

  it.each([
    [{ cluster: { monitor_ping_interval: 15 } }, 'cluster.monitor_ping_interval must be a Go duration string'],
    [{ cluster: { dial_peer_timeout: '3 seconds' } }, 'cluster.dial_peer_timeout must be a Go duration such as "15s"'],
    [{ cluster: { secret: 'zz' } }, 'cluster.secret must be 64 hexadecimal characters'],
    [{ cluster: { replication_factor_min: 2, replication_factor_max: 1 } }, 'cluster.replication_factor_min is larger than max'],
    [{ cluster: { replication_factor_min: -1, replication_factor_max: 2 } }, 'must be -1 when one of them is'],
    [{ cluster: { connection_manager: { high_water: 10, low_water: 20 } } }, 'cluster.connection_manager.low_water must be <= high_water'],
    [{ cluster: { listen_multiaddress: [] } }, 'cluster.listen_multiaddress must list at least one address'],
    [{ cluster: { peer_addresses: ['nope'] } }, 'cluster.peer_addresses[0] must be a multiaddress'],
    [{ cluster: { mdns_interval: '-1s' } }, 'cluster.mdns_interval must be at least 0ms'],
    [{ cluster: {}, monitor: { pubsubmon: { check_interval: 'often' } } }, 'monitor.pubsubmon.check_interval must be a Go duration'],
    [{ cluster: {}, api: 'restapi' }, 'api must be a JSON object of components'],
  ])('rejects %j', async (json, message) => {
    const d = await dir()
    await writeFile(join(d, 'service.json'), JSON.stringify(json))
    await expect(loadConfig(d, {})).rejects.toThrow(message)
  })

  it('leaves the file untouched when it is invalid', async () => {
    const d = await dir()
    await writeFile(join(d, 'service.json'), '{"cluster": {"secret": 1}}')
    await expect(loadConfig(d, {})).rejects.toThrow('cluster.secret must be a string')
    expect(await readFile(join(d, 'service.json'), 'utf8')).toBe('{"cluster": {"secret": 1}}')
  })
})
