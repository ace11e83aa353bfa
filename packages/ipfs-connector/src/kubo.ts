/**
 * The Kubo connector: drives a Kubo daemon over its RPC API with `kubo-rpc-client` (reference
 * §6.5). Every call carries a deadline from `ipfs_connector.ipfshttp`; a pin is aborted when
 * Kubo's `Progress` counter stops moving for `pin_timeout` (an inactivity timeout, as upstream).
 * When Kubo is unreachable every call fails with an `IpfsError` naming the node address, and the
 * peer keeps running.
 */
import { Agent } from 'node:http'
import { multiaddr } from '@multiformats/multiaddr'
import type { AbortOptions, IpfsAddEntries, IpfsAddOptions, IpfsConnector, IpfsDagImportResult, IpfsPinLsEntry, IpfsPinOptions } from '@pinmesh/interface'
import { InvalidArgumentError, IpfsError, parseCid } from '@pinmesh/interface'
import { create, type KuboRPCClient } from 'kubo-rpc-client'
import { CID } from 'multiformats/cid'
import type { Logger } from 'pino'
import { countCarBlocks } from './car-tee.js'
import { IPFSHTTP_DEFAULTS, type IpfsHttpConfig, kuboApiUrl } from './config.js'
import { ipfsError, withTimeout } from './deadline.js'
import { kuboPinAdd } from './kubo-pin.js'
import { kuboUpload } from './kubo-upload.js'
import { connectOrigins } from './origins.js'

export interface KuboConnectorComponents {
  logger?: Logger
}

export interface KuboConnector extends IpfsConnector {
  /** The RPC API base URL (`http://127.0.0.1:5001`). */
  readonly url: string
  /** One `pin/add` request for all of `cids` (recursive). */
  pinMany(cids: string[], options?: AbortOptions & Pick<IpfsPinOptions, 'onProgress'>): Promise<void>
  /** Peer IDs of the nodes Kubo is connected to. */
  swarmPeers(options?: AbortOptions): Promise<string[]>
  stop(): Promise<void>
}

const NOT_PINNED = /not pinned/
/** How many CIDs an `add` with `pin=true` is remembered for (see `pinnedByAdd`). */
const ADDED_MEMORY = 1024

/** Creates the Kubo connector. No request is made until a method is called. */
export function createKuboConnector(init: Partial<IpfsHttpConfig> = {}, components: KuboConnectorComponents = {}): KuboConnector {
  const config: IpfsHttpConfig = { ...IPFSHTTP_DEFAULTS, ...init }
  const url = kuboApiUrl(config.node_multiaddress)
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const client: KuboRPCClient = create({ url, agent })
  const logger = components.logger
  /**
   * Roots this connector just added with `pin=true`, oldest first. Kubo re-walks (and re-reads)
   * the whole DAG when asked to pin recursively something already pinned recursively, so a
   * `pin()` of one of these asks `pin ls` first (a cheap index lookup) instead.
   */
  const pinnedByAdd = new Set<string>()
  const rememberPinnedByAdd = (cid: string) => {
    pinnedByAdd.add(cid)
    if (pinnedByAdd.size > ADDED_MEMORY) pinnedByAdd.delete(pinnedByAdd.values().next().value as string)
  }

  /** Runs `fn` with the request deadline; wraps failures so they name the node. */
  async function call<T>(what: string, ms: number, options: AbortOptions | undefined, fn: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const signal = withTimeout(options?.signal, ms)
    try {
      return await fn(signal)
    } catch (err) {
      throw kuboError(err, what, signal)
    }
  }

  function kuboError(err: unknown, what: string, signal?: AbortSignal): IpfsError {
    if (err instanceof InvalidArgumentError) throw err
    const e = ipfsError(err, what, signal)
    if (/fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|socket hang up/.test(e.message)) {
      return new IpfsError(`kubo at ${url} is unreachable (${what}): ${e.message.replace(/^ipfs [^:]+ failed: /, '')}`, { cause: err })
    }
    return e
  }

  async function pinType(cid: string, signal: AbortSignal | undefined, type?: 'recursive' | 'direct'): Promise<IpfsPinLsEntry['type'] | undefined> {
    try {
      for await (const pin of client.pin.ls({ paths: [CID.parse(cid)], ...(type !== undefined ? { type } : {}), ...(signal ? { signal } : {}) })) {
        return pin.type as IpfsPinLsEntry['type']
      }
      return undefined
    } catch (err) {
      if (NOT_PINNED.test((err as Error).message)) return undefined
      throw err
    }
  }

  const swarmConnect = (addr: string, options?: AbortOptions) =>
    call(`swarm connect ${addr}`, config.ipfs_request_timeout, options, async (signal) => {
      await client.swarm.connect(multiaddr(addr), { ...(signal ? { signal } : {}) })
    })

  return {
    url,
    async stop() {
      agent.destroy()
    },
    id: (options) =>
      call('id', config.ipfs_request_timeout, options, async (signal) => {
        const id = await client.id({ ...(signal ? { signal } : {}) })
        return { id: id.id.toString(), addresses: id.addresses.map((a) => a.toString()) }
      }),

    async pin(cid: string, options: IpfsPinOptions = {}) {
      parseCid(cid)
      const maxDepth = options.maxDepth ?? -1
      const wanted = maxDepth === 0 ? 'direct' : 'recursive'
      // The pin ls round trip upstream makes first is made for direct pins and for roots this
      // connector has just added with pin=true: Kubo would re-walk their whole DAG. Other
      // recursive pins skip it — for local or new content pin/add alone is cheaper.
      if (wanted === 'direct' || pinnedByAdd.delete(cid)) {
        const current = await call(`pin ls ${cid}`, config.ipfs_request_timeout, options, (signal) => pinType(cid, signal, wanted))
        if (current === wanted) return
      }
      connectOrigins(options.origins, (addr) => swarmConnect(addr), logger)
      if (options.pinUpdate && options.pinUpdate !== cid && maxDepth === -1) {
        const from = options.pinUpdate
        const fromType = await call(`pin ls ${from}`, config.ipfs_request_timeout, options, (signal) => pinType(from, signal, 'recursive')).catch(
          () => undefined,
        )
        if (fromType === 'recursive') {
          await call(`pin update ${from} ${cid}`, 0, options, async (signal) => {
            await client.pin.update(CID.parse(from), CID.parse(cid), { unpin: false, ...(signal ? { signal } : {}) })
          })
          return
        }
      }
      try {
        await kuboPinAdd(url, [cid], maxDepth, config.pin_timeout, { ...options, agent })
      } catch (err) {
        throw kuboError(err, `pin ${cid}`)
      }
    },

    async pinMany(cids: string[], options: AbortOptions & Pick<IpfsPinOptions, 'onProgress'> = {}) {
      for (const cid of cids) parseCid(cid)
      if (cids.length === 0) return
      try {
        await kuboPinAdd(url, cids, -1, config.pin_timeout, { ...options, agent })
      } catch (err) {
        throw kuboError(err, `pin of ${cids.length} CIDs`)
      }
    },

    async unpin(cid: string, options?: AbortOptions) {
      parseCid(cid)
      if (config.unpin_disable) throw new IpfsError('ipfs unpinning is disallowed by configuration on this peer')
      await call(`unpin ${cid}`, config.unpin_timeout, options, async (signal) => {
        try {
          await client.pin.rm(CID.parse(cid), { ...(signal ? { signal } : {}) })
        } catch (err) {
          if (NOT_PINNED.test((err as Error).message)) return
          throw err
        }
      })
    },

    pinLsCid: (cid, options) => {
      parseCid(cid)
      // Ask by type: `pin ls <cid>` without a type also looks for indirect pins, which walks
      // the DAG of every recursive pin in the repository.
      return call(
        `pin ls ${cid}`,
        config.ipfs_request_timeout,
        options,
        async (signal) => (await pinType(cid, signal, 'recursive')) ?? pinType(cid, signal, 'direct'),
      )
    },

    async *pinLs(options?: AbortOptions): AsyncIterable<IpfsPinLsEntry> {
      for (const type of ['recursive', 'direct'] as const) {
        try {
          for await (const pin of client.pin.ls({ type, ...(options?.signal ? { signal: options.signal } : {}) })) {
            yield { cid: pin.cid.toString(), type }
          }
        } catch (err) {
          throw kuboError(err, 'pin ls', options?.signal)
        }
      }
    },

    repoStat: (options) =>
      call('repo stat', config.ipfs_request_timeout, options, async (signal) => {
        const s = await client.repo.stat({ sizeOnly: true, ...(signal ? { signal } : {}) } as Parameters<typeof client.repo.stat>[0])
        return { repoSize: Number(s.repoSize ?? 0), storageMax: Number(s.storageMax ?? 0), numObjects: Number(s.numObjects ?? 0) }
      }),

    async *repoGc(options?: AbortOptions) {
      const signal = withTimeout(options?.signal, config.repogc_timeout)
      try {
        for await (const r of client.repo.gc({ ...(signal ? { signal } : {}) })) {
          const key = (r as { cid?: CID }).cid?.toString() ?? null
          if (r.err != null) yield { key, error: r.err.message }
          else yield { key }
        }
      } catch (err) {
        throw kuboError(err, 'repo gc', signal)
      }
    },

    blockPut: (bytes, options = {}) =>
      call('block put', config.ipfs_request_timeout, options, async (signal) => {
        const cid = await client.block.put(bytes, {
          ...(options.format !== undefined ? { format: options.format } : {}),
          ...(options.mhtype !== undefined ? { mhtype: options.mhtype } : {}),
          pin: false,
          ...(signal ? { signal } : {}),
        })
        return cid.toString()
      }),

    blockGet: (cid, options) =>
      call(`block get ${cid}`, config.ipfs_request_timeout, options, async (signal) => client.block.get(parseCid(cid), { ...(signal ? { signal } : {}) })),

    async *add(entries: IpfsAddEntries, options: IpfsAddOptions = {}) {
      const q = new URLSearchParams({ 'stream-channels': 'true', pin: String(options.pin === true), progress: String(options.onProgress !== undefined) })
      if (options.cidVersion !== undefined) q.set('cid-version', String(options.cidVersion))
      if (options.rawLeaves !== undefined) q.set('raw-leaves', String(options.rawLeaves))
      if (options.chunker) q.set('chunker', options.chunker)
      if (options.wrapWithDirectory) q.set('wrap-with-directory', 'true')
      if (options.trickle || options.layout === 'trickle') q.set('trickle', 'true')
      if (options.hashAlg && options.hashAlg !== 'sha2-256') q.set('hash', options.hashAlg)
      try {
        let root: string | undefined
        // An upload already in Kubo's multipart encoding goes through untouched (no parsing here).
        const upload = entries.multipart !== undefined ? { raw: entries.multipart.take(), contentType: entries.multipart.contentType } : { entries }
        for await (const out of kuboUpload(url, 'add', q, upload, { agent, ...(options.signal ? { signal: options.signal } : {}) })) {
          if (typeof out.Hash !== 'string') {
            if (typeof out.Bytes === 'number') options.onProgress?.(String(out.Name ?? ''), out.Bytes)
            continue
          }
          root = out.Hash
          yield { path: String(out.Name ?? ''), cid: out.Hash, size: Number(out.Size ?? 0) }
        }
        // Kubo pinned the root (the last output) recursively.
        if (options.pin === true && root !== undefined) rememberPinnedByAdd(root)
      } catch (err) {
        throw kuboError(err, 'add', options.signal)
      }
    },

    async dagImport(car: AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<IpfsDagImportResult> {
      const tee = countCarBlocks(car)
      const entries = (async function* () {
        yield { path: 'import.car', content: tee.source }
      })()
      try {
        for await (const _ of kuboUpload(
          url,
          'dag/import',
          new URLSearchParams({ 'pin-roots': 'false' }),
          { entries },
          {
            agent,
            ...(options?.signal ? { signal: options.signal } : {}),
          },
        )) {
          // roots are only reported when pinned; they are read from the CAR header instead
        }
      } catch (err) {
        tee.abort()
        const parsed = await tee.result.catch((e: unknown) => e)
        if (parsed instanceof InvalidArgumentError) throw parsed
        throw kuboError(err, 'dag import', options?.signal)
      }
      return tee.result
    },

    resolve: (path, options) =>
      call(`resolve ${path}`, config.ipfs_request_timeout, options, async (signal) => {
        const p = path.startsWith('/') ? path : `/ipfs/${path}`
        const resolved = await client.resolve(p, { ...(signal ? { signal } : {}) })
        return resolved.replace(/^\/ipfs\//, '').split('/')[0] as string
      }),

    swarmConnect,

    swarmPeers: (options) =>
      call('swarm peers', config.ipfs_request_timeout, options, async (signal) => {
        const peers = await client.swarm.peers({ ...(signal ? { signal } : {}) })
        return [...new Set(peers.map((p) => p.peer.toString()))]
      }),
  }
}
