/**
 * The embedded IPFS node: Helia with blocks on disk (blockstore-fs), pins and other data in
 * LevelDB (datastore-level), bitswap for fetching blocks from the IPFS nodes it is connected to,
 * and its own private libp2p host (TCP, noise, yamux, identify — no public DHT, relay, UPnP or
 * autoTLS, no bootstrap list). Content from other cluster peers arrives over bitswap once their
 * IPFS nodes are connected (`swarmConnect`, driven by the cluster, or a pin's `origins`).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import * as dagPb from '@ipld/dag-pb'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import type {
  AbortOptions,
  IpfsAddEntries,
  IpfsAddOptions,
  IpfsConnector,
  IpfsDagImportResult,
  IpfsPinLsEntry,
  IpfsPinOptions,
  IpfsRepoStat,
} from '@pinmesh/interface'
import { InvalidArgumentError, IpfsError, parseCid } from '@pinmesh/interface'
import { FsBlockstore } from 'blockstore-fs'
import { LevelDatastore } from 'datastore-level'
import { createHeliaLight } from 'helia'
import { walkPath } from 'ipfs-unixfs-exporter'
import { importer } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Logger } from 'pino'
import { importCar } from './car-import.js'
import { EMBEDDED_DEFAULTS, type EmbeddedIpfsConfig } from './config.js'
import { inactivity, ipfsError, withTimeout } from './deadline.js'
import { connectOrigins } from './origins.js'
import { createRepoUsage } from './repo-size.js'
import { importerOptions } from './unixfs-options.js'

export interface HeliaConnectorInit {
  /** Folder holding `blocks/` and `datastore/`. */
  path: string
  /** libp2p listen addresses of the embedded node (default: loopback, random port). */
  listen?: string[]
  /** Timeouts and limits (`ipfs_connector.embedded`); defaults from `EMBEDDED_DEFAULTS`. */
  config?: Partial<EmbeddedIpfsConfig>
  logger?: Logger
}

export interface HeliaConnector extends IpfsConnector {
  start(): Promise<void>
  stop(): Promise<void>
  /** Peer IDs of the IPFS nodes this node is connected to. */
  swarmPeers(): string[]
}

const CODECS: Record<string, number> = { raw: raw.code, 'dag-pb': dagPb.code, 'dag-cbor': 0x71, 'dag-json': 0x0129, v0: dagPb.code }

/** Creates the embedded Helia connector; call `start()` before use. */
export async function createHeliaConnector(init: HeliaConnectorInit): Promise<HeliaConnector> {
  const config: EmbeddedIpfsConfig = { ...EMBEDDED_DEFAULTS, ...init.config }
  const logger = init.logger
  const blocksDir = join(init.path, 'blocks')
  await mkdir(blocksDir, { recursive: true })
  const blockstore = new FsBlockstore(blocksDir)
  const datastore = new LevelDatastore(join(init.path, 'datastore'))
  await blockstore.open()
  await datastore.open()
  const helia = withBitswap(
    withLibp2pLight(createHeliaLight({ blockstore, datastore }), {
      addresses: { listen: init.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
    }),
  )
  const usage = createRepoUsage(blocksDir)
  let started = false

  const swarmConnect = async (addr: string, options?: AbortOptions) => {
    const signal = withTimeout(options?.signal, config.ipfs_request_timeout)
    try {
      await helia.libp2p.dial(multiaddr(addr), { signal })
    } catch (err) {
      throw ipfsError(err, `swarm connect ${addr}`, signal)
    }
  }

  const isPinnedAs = async (c: CID, maxDepth: number, options?: AbortOptions): Promise<boolean> => {
    if (!(await helia.pins.isPinned(c, options))) return false
    try {
      const pin = await helia.pins.get(c, options)
      const depth = pin.depth === Number.POSITIVE_INFINITY ? -1 : pin.depth
      return depth === maxDepth
    } catch {
      // pinned only as a child of another pin: not pinned itself
      return false
    }
  }

  const connector: HeliaConnector = {
    async start() {
      if (started) return
      await helia.start()
      started = true
    },
    async stop() {
      if (!started) return
      started = false
      await helia.stop()
      await blockstore.close()
      await datastore.close()
    },
    swarmPeers() {
      return [...new Set(helia.libp2p.getConnections().map((c) => c.remotePeer.toString()))]
    },
    async id() {
      if (!started) throw new IpfsError('the embedded IPFS node is not running')
      return { id: helia.libp2p.peerId.toString(), addresses: helia.libp2p.getMultiaddrs().map((a) => a.toString()) }
    },
    async pin(cid: string, options: IpfsPinOptions = {}) {
      const c = parseCid(cid)
      const maxDepth = options.maxDepth ?? -1
      const watch = inactivity(options.signal, config.pin_timeout, `pin ${cid}`)
      try {
        if (await isPinnedAs(c, maxDepth, { signal: watch.signal })) return
        if (await helia.pins.isPinned(c, { signal: watch.signal })) {
          // pinned with another depth (or only indirectly): replace the pin with the asked one
          for await (const _ of helia.pins.rm(c, { signal: watch.signal })) {
            // drain
          }
        }
        connectOrigins(options.origins, (addr) => swarmConnect(addr), logger)
        let blocks = 0
        for await (const _ of helia.pins.add(c, { signal: watch.signal, ...(maxDepth >= 0 ? { depth: maxDepth } : {}) })) {
          blocks++
          watch.touch()
          options.onProgress?.({ blocks })
        }
        usage.invalidate()
      } catch (err) {
        if (err instanceof Error && err.name === 'AlreadyPinnedError') return
        throw ipfsError(err, `pin ${cid}`, watch.signal)
      } finally {
        watch.clear()
      }
    },
    async unpin(cid: string, options?: AbortOptions) {
      const c = parseCid(cid)
      if (config.unpin_disable) throw new IpfsError('ipfs unpinning is disallowed by configuration on this peer')
      const signal = withTimeout(options?.signal, config.unpin_timeout)
      try {
        if (!(await helia.pins.isPinned(c, { signal }))) return
        for await (const _ of helia.pins.rm(c, { signal })) {
          // drain
        }
      } catch (err) {
        if (err instanceof Error && err.name === 'NotFoundError') return
        throw ipfsError(err, `unpin ${cid}`, signal)
      }
    },
    async pinLsCid(cid: string, options?: AbortOptions) {
      const c = parseCid(cid)
      const signal = withTimeout(options?.signal, config.ipfs_request_timeout)
      try {
        if (!(await helia.pins.isPinned(c, { signal }))) return undefined
        const pin = await helia.pins.get(c, { signal }).catch(() => undefined)
        // only a child of another pin: not pinned itself (as Kubo's typed pin ls answers)
        if (pin === undefined) return undefined
        return pin.depth === 0 ? 'direct' : 'recursive'
      } catch (err) {
        throw ipfsError(err, `pin ls ${cid}`, signal)
      }
    },
    async *pinLs(options?: AbortOptions): AsyncIterable<IpfsPinLsEntry> {
      for await (const pin of helia.pins.ls(options)) {
        yield { cid: pin.cid.toString(), type: pin.depth === 0 ? 'direct' : 'recursive' }
      }
    },
    async repoStat(): Promise<IpfsRepoStat> {
      try {
        const { repoSize, numObjects } = await usage.get()
        const storageMax = config.storage_max > 0 ? config.storage_max : repoSize + (await usage.freeBytes())
        return { repoSize, storageMax, numObjects }
      } catch (err) {
        throw ipfsError(err, 'repo stat')
      }
    },
    async *repoGc(options?: AbortOptions) {
      const signal = withTimeout(options?.signal, config.repogc_timeout)
      const keys: { key: string | null; error?: string }[] = []
      try {
        await helia.gc({
          signal,
          onProgress(event) {
            // the blockstore is keyed by multihash: report keys as Kubo does, CIDv1 raw
            if (event.type === 'helia:gc:deleted') keys.push({ key: CID.createV1(raw.code, event.detail.multihash).toString() })
            else if (event.type === 'helia:gc:error') keys.push({ key: null, error: event.detail.message })
          },
        })
      } catch (err) {
        throw ipfsError(err, 'repo gc', signal)
      } finally {
        usage.invalidate()
      }
      yield* keys
    },
    async blockPut(bytes: Uint8Array, options: AbortOptions & { format?: string; mhtype?: string } = {}) {
      const codec = CODECS[options.format ?? 'raw']
      if (codec === undefined) throw new InvalidArgumentError(`unsupported block format ${JSON.stringify(options.format)}`, 'cid-codec')
      if ((options.mhtype ?? 'sha2-256') !== 'sha2-256') throw new InvalidArgumentError(`unsupported hash ${JSON.stringify(options.mhtype)}`, 'mhtype')
      const digest = await sha256.digest(bytes)
      const cid = options.format === 'v0' ? CID.createV0(digest) : CID.createV1(codec, digest)
      try {
        await helia.blockstore.put(cid, bytes, options)
      } catch (err) {
        throw ipfsError(err, `block put ${cid}`)
      }
      usage.invalidate()
      return cid.toString()
    },
    async blockGet(cid: string, options?: AbortOptions) {
      const c = parseCid(cid)
      const signal = withTimeout(options?.signal, config.ipfs_request_timeout)
      try {
        const chunks: Uint8Array[] = []
        for await (const chunk of helia.blockstore.get(c, { signal })) chunks.push(chunk)
        return Buffer.concat(chunks)
      } catch (err) {
        throw ipfsError(err, `block get ${cid}`, signal)
      }
    },
    async *add(entries: IpfsAddEntries, options: IpfsAddOptions = {}) {
      const opts = importerOptions(options)
      const source = (async function* () {
        for await (const entry of entries) {
          options.signal?.throwIfAborted()
          yield entry.content === undefined ? { path: entry.path } : { path: entry.path, content: entry.content }
        }
      })()
      try {
        for await (const out of importer(source, helia.blockstore, {
          ...opts,
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
          onProgress(event) {
            if (event.type === 'unixfs:importer:progress:file:read') {
              const d = event.detail as { bytesRead: bigint; path?: string }
              options.onProgress?.(d.path ?? '', Number(d.bytesRead))
            }
          },
        })) {
          yield { path: out.path ?? out.cid.toString(), cid: out.cid.toString(), size: Number(out.size) }
        }
      } catch (err) {
        if (err instanceof InvalidArgumentError) throw err
        throw ipfsError(err, 'add', options.signal)
      } finally {
        usage.invalidate()
      }
    },
    async dagImport(car: AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<IpfsDagImportResult> {
      try {
        return await importCar(car, helia.blockstore, options)
      } finally {
        usage.invalidate()
      }
    },
    async resolve(path: string, options?: AbortOptions) {
      const m = /^\/?(?:ipfs\/)?([^/]+)(\/.*)?$/.exec(path)
      if (m === null) throw new InvalidArgumentError(`invalid IPFS path ${JSON.stringify(path)}`, 'path')
      const root = parseCid(m[1] as string)
      const rest = (m[2] ?? '').split('/').filter((s) => s !== '')
      if (rest.length === 0) return root.toString()
      const signal = withTimeout(options?.signal, config.ipfs_request_timeout)
      try {
        let last: CID = root
        for await (const entry of walkPath(`${root}/${rest.join('/')}`, helia.blockstore, { signal })) last = entry.cid
        return last.toString()
      } catch (err) {
        throw ipfsError(err, `resolve ${path}`, signal)
      }
    },
    swarmConnect,
  }
  return connector
}
