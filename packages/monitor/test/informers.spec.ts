import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IpfsConnector, IpfsPinLsEntry } from '@pinmesh/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createDiskInformer,
  createNumPinInformer,
  createPinQueueInformer,
  createTagInformers,
  filesystemFreeBytes,
  INFORMER_DEFAULTS,
  nowNs,
  parseInformersConfig,
} from '../src/index.js'

const PEER = '12D3KooWPeer'

function fakeIpfs(over: Partial<IpfsConnector>): IpfsConnector {
  return over as IpfsConnector
}

describe('informer config', () => {
  it('defaults (tags group=default when the section is absent; numpin off)', () => {
    const c = parseInformersConfig(undefined)
    expect(c.disk).toEqual({ metric_ttl: 30_000, metric_type: 'freespace', source: 'auto' })
    expect(c.tags).toEqual({ metric_ttl: 30_000, tags: { group: 'default' } })
    expect(c.pinqueue).toEqual({ metric_ttl: 30_000, weight_bucket_size: 100_000 })
    expect(c.numpin).toBeUndefined()
  })
  it('reads upstream sections; a tags section without tags means no tags', () => {
    const c = parseInformersConfig({
      disk: { metric_ttl: '10s', metric_type: 'reposize' },
      tags: { metric_ttl: '5s' },
      pinqueue: { weight_bucket_size: 10 },
      numpin: { metric_ttl: '1m' },
    })
    expect(c.disk).toMatchObject({ metric_ttl: 10_000, metric_type: 'reposize' })
    expect(c.tags.tags).toEqual({})
    expect(c.pinqueue.weight_bucket_size).toBe(10)
    expect(c.numpin).toEqual({ metric_ttl: 60_000 })
    expect(parseInformersConfig({ tags: { tags: { region: 'eu' } } }).tags.tags).toEqual({ region: 'eu' })
  })
  it('rejects bad values naming the key path', () => {
    expect(() => parseInformersConfig({ disk: { metric_type: 'bogus' } })).toThrow(/informer\.disk\.metric_type must be one of "freespace", "reposize"/)
    expect(() => parseInformersConfig({ disk: { metric_ttl: '0s' } })).toThrow(/informer\.disk\.metric_ttl must be a duration > 0/)
    expect(() => parseInformersConfig({ tags: { metric_ttl: 'later' } })).toThrow(/informer\.tags\.metric_ttl must be a duration/)
    expect(() => parseInformersConfig({ tags: { tags: { region: 3 } } })).toThrow(/informer\.tags\.tags\.region must be a string/)
    expect(() => parseInformersConfig({ pinqueue: { weight_bucket_size: 0 } })).toThrow(/informer\.pinqueue\.weight_bucket_size must be an integer > 0/)
    expect(() => parseInformersConfig({ disk: { source: 'magic' } })).toThrow(/informer\.disk\.source/)
    expect(() => parseInformersConfig([])).toThrow(/^invalid configuration: informer must be an object/)
  })
})

describe('disk informer', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pinmesh-informer-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('statfs source: free bytes of the file system holding the repo folder', async () => {
    const informer = createDiskInformer(INFORMER_DEFAULTS.disk, { peerId: PEER, ipfs: fakeIpfs({}), repoPath: dir })
    const m = await informer.getMetric()
    const free = await filesystemFreeBytes(dir)
    expect(m).toMatchObject({ name: 'freespace', peer: PEER, valid: true, partitionable: false })
    // Other processes write to the same disk meanwhile: same order of magnitude, not equal.
    expect(Math.abs(Number(m.value) - free)).toBeLessThan(free * 0.05 + 1e8)
    expect(m.weight).toBe(Number(m.value))
    expect(m.expire > nowNs() + 29_000_000_000n).toBe(true)
  })

  it('repo_stat source: StorageMax − RepoSize; reposize weight is negative', async () => {
    const ipfs = fakeIpfs({ repoStat: async () => ({ repoSize: 300, storageMax: 1000, numObjects: 3 }) })
    const free = await createDiskInformer({ ...INFORMER_DEFAULTS.disk, source: 'repo_stat' }, { peerId: PEER, ipfs, repoPath: dir }).getMetric()
    expect(free).toMatchObject({ value: '700', weight: 700, valid: true })
    const size = await createDiskInformer({ ...INFORMER_DEFAULTS.disk, metric_type: 'reposize' }, { peerId: PEER, ipfs, repoPath: dir }).getMetric()
    expect(size).toMatchObject({ name: 'reposize', value: '300', weight: -300, valid: true })
  })

  it('auto without a repo folder asks the IPFS node; failures and full disks give invalid metrics', async () => {
    const failing = fakeIpfs({
      repoStat: async () => {
        throw new Error('repo stat not implemented')
      },
    })
    expect((await createDiskInformer(INFORMER_DEFAULTS.disk, { peerId: PEER, ipfs: failing }).getMetric()).valid).toBe(false)
    const full = fakeIpfs({ repoStat: async () => ({ repoSize: 1000, storageMax: 1000, numObjects: 3 }) })
    expect((await createDiskInformer(INFORMER_DEFAULTS.disk, { peerId: PEER, ipfs: full }).getMetric()).valid).toBe(false)
    expect(() => createDiskInformer({ ...INFORMER_DEFAULTS.disk, source: 'statfs' }, { peerId: PEER, ipfs: full })).toThrow(/needs the IPFS repo folder/)
  })
})

describe('tags, pinqueue, numpin', () => {
  it('one partitionable tag:<name> metric per tag', async () => {
    const informers = createTagInformers({ metric_ttl: 1000, tags: { region: 'eu', group: 'default' } }, { peerId: PEER })
    const metrics = await Promise.all(informers.map((i) => i.getMetric()))
    expect(metrics.map((m) => [m.name, m.value, m.partitionable, m.weight])).toEqual([
      ['tag:region', 'eu', true, 0],
      ['tag:group', 'default', true, 0],
    ])
    expect(createTagInformers({ metric_ttl: 1000, tags: {} }, { peerId: PEER })).toEqual([])
  })

  it('pinqueue weight is minus the queue length in buckets', async () => {
    let n = 0
    const informer = createPinQueueInformer({ metric_ttl: 1000, weight_bucket_size: 10 }, { peerId: PEER, tracker: { pinQueueSize: () => n } })
    expect(await informer.getMetric()).toMatchObject({ value: '0', weight: 0, valid: true })
    n = 25
    expect(await informer.getMetric()).toMatchObject({ value: '25', weight: -2 })
  })

  it('numpin counts recursive and direct pins by streaming', async () => {
    const entries: IpfsPinLsEntry[] = [
      { cid: 'a', type: 'recursive' },
      { cid: 'b', type: 'direct' },
      { cid: 'c', type: 'indirect' },
    ]
    const ipfs = fakeIpfs({
      async *pinLs() {
        yield* entries
      },
    })
    expect(await createNumPinInformer({ metric_ttl: 1000 }, { peerId: PEER, ipfs }).getMetric()).toMatchObject({ name: 'numpin', value: '2', valid: true })
  })
})
