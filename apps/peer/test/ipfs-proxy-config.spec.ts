/**
 * The IPFS proxy's config as the daemon reads it: `api.ipfsproxy` from `service.json`,
 * overridden by `CLUSTER_IPFSPROXY_*` (lists comma-separated, durations as Go strings), errors
 * naming the key path.
 */
import { InvalidConfigError } from '@pinmesh/interface'
import { describe, expect, it } from 'vitest'
import { type IpfsSetup, proxyConfig } from '../src/ipfs.js'

const kubo = { kuboUrl: 'http://127.0.0.1:5001' } as IpfsSetup

describe('proxyConfig: extract_headers_*', () => {
  it('reads the section and lets CLUSTER_IPFSPROXY_* override it', () => {
    const fromFile = proxyConfig(kubo, {}, { extract_headers_extra: ['X-A'], extract_headers_ttl: '1m0s' }).config
    expect([fromFile.extract_headers_extra, fromFile.extract_headers_path, fromFile.extract_headers_ttl]).toEqual([['X-A'], '/api/v0/version', 60_000])
    const env = {
      CLUSTER_IPFSPROXY_EXTRACTHEADERSEXTRA: 'X-Ipfs-Gateway, X-B',
      CLUSTER_IPFSPROXY_EXTRACTHEADERSPATH: '/api/v0/id',
      CLUSTER_IPFSPROXY_EXTRACTHEADERSTTL: '0',
    }
    const c = proxyConfig(kubo, env, { extract_headers_extra: ['X-A'], extract_headers_ttl: '1m0s' }).config
    expect([c.extract_headers_extra, c.extract_headers_path, c.extract_headers_ttl]).toEqual([['X-Ipfs-Gateway', 'X-B'], '/api/v0/id', 0])
  })

  it('refuses bad values naming the key', () => {
    expect(() => proxyConfig(kubo, { CLUSTER_IPFSPROXY_EXTRACTHEADERSEXTRA: 'X-A,not a header' })).toThrow(InvalidConfigError)
    expect(() => proxyConfig(kubo, { CLUSTER_IPFSPROXY_EXTRACTHEADERSEXTRA: 'X-A,not a header' })).toThrow(/api\.ipfsproxy\.extract_headers_extra\[1\]/)
    expect(() => proxyConfig(kubo, { CLUSTER_IPFSPROXY_EXTRACTHEADERSTTL: 'soon' })).toThrow(/api\.ipfsproxy\.extract_headers_ttl/)
    expect(() => proxyConfig(kubo, {}, { extract_headers_path: 'version' })).toThrow(/api\.ipfsproxy\.extract_headers_path/)
  })
})
