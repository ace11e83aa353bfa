/**
 * The embedded IPFS node: Helia with blocks on disk (blockstore-fs), pins and other data in
 * LevelDB (datastore-level), bitswap for fetching blocks, and its own private libp2p host (TCP,
 * noise, yamux, identify — no public DHT, relay, UPnP or autoTLS).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import type { AbortOptions, IpfsAddEntry, IpfsAddOptions, IpfsConnector, IpfsPinLsEntry, IpfsPinOptions, IpfsRepoStat } from '@pinmesh/interface'
import { IpfsError, NotImplementedError, parseCid } from '@pinmesh/interface'
import { FsBlockstore } from 'blockstore-fs'
import { LevelDatastore } from 'datastore-level'
import { createHeliaLight } from 'helia'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

export interface HeliaConnectorInit {
  /** Folder holding `blocks/` and `datastore/`. */
  path: string
  /** libp2p listen addresses of the embedded node (default: loopback, random port). */
  listen?: string[]
}

export interface HeliaConnector extends IpfsConnector {
  start(): Promise<void>
  stop(): Promise<void>
}

function wrap(err: unknown, what: string): IpfsError {
  return new IpfsError(`ipfs ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
}

/** Creates the embedded Helia connector; call `start()` before use. */
export async function createHeliaConnector(init: HeliaConnectorInit): Promise<HeliaConnector> {
  await mkdir(join(init.path, 'blocks'), { recursive: true })
  const blockstore = new FsBlockstore(join(init.path, 'blocks'))
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

  const connector: HeliaConnector = {
    async start() {
      await helia.start()
    },
    async stop() {
      await helia.stop()
      await blockstore.close()
      await datastore.close()
    },
    async id() {
      return { id: helia.libp2p.peerId.toString(), addresses: helia.libp2p.getMultiaddrs().map((a) => a.toString()) }
    },
    async pin(cid: string, options?: IpfsPinOptions) {
      const c = parseCid(cid)
      try {
        if (await helia.pins.isPinned(c, options)) return
        let blocks = 0
        const depth = options?.maxDepth ?? -1
        for await (const _ of helia.pins.add(c, { ...(options?.signal ? { signal: options.signal } : {}), ...(depth >= 0 ? { depth } : {}) })) {
          blocks++
          options?.onProgress?.({ blocks })
        }
      } catch (err) {
        throw wrap(err, `pin ${cid}`)
      }
    },
    async unpin(cid: string, options?: AbortOptions) {
      const c = parseCid(cid)
      try {
        if (!(await helia.pins.isPinned(c, options))) return
        for await (const _ of helia.pins.rm(c, options)) {
          // drain
        }
      } catch (err) {
        throw wrap(err, `unpin ${cid}`)
      }
    },
    async pinLsCid(cid: string, options?: AbortOptions) {
      const c = parseCid(cid)
      if (!(await helia.pins.isPinned(c, options))) return undefined
      const pin = await helia.pins.get(c, options)
      return pin.depth === 0 ? 'direct' : 'recursive'
    },
    async *pinLs(options?: AbortOptions): AsyncIterable<IpfsPinLsEntry> {
      for await (const pin of helia.pins.ls(options)) {
        yield { cid: pin.cid.toString(), type: pin.depth === 0 ? 'direct' : 'recursive' }
      }
    },
    async repoStat(): Promise<IpfsRepoStat> {
      throw new NotImplementedError('repo stat is not implemented for the embedded IPFS node yet')
    },
    // biome-ignore lint/correctness/useYield: not built yet; throws before yielding
    async *repoGc() {
      throw new NotImplementedError('repo gc is not implemented for the embedded IPFS node yet')
    },
    async blockPut(bytes: Uint8Array, options?: AbortOptions) {
      const cid = CID.createV1(raw.code, await sha256.digest(bytes))
      await helia.blockstore.put(cid, bytes, options)
      return cid.toString()
    },
    async blockGet(cid: string, options?: AbortOptions) {
      const chunks: Uint8Array[] = []
      for await (const chunk of helia.blockstore.get(parseCid(cid), options)) chunks.push(chunk)
      return Buffer.concat(chunks)
    },
    // biome-ignore lint/correctness/useYield: not built yet; throws before yielding
    async *add(_entries: AsyncIterable<IpfsAddEntry>, _options?: IpfsAddOptions) {
      throw new NotImplementedError('add is not implemented for the embedded IPFS node yet')
    },
    async swarmConnect(addr: string, options?: AbortOptions) {
      try {
        await helia.libp2p.dial(multiaddr(addr), options)
      } catch (err) {
        throw wrap(err, `swarm connect ${addr}`)
      }
    },
  }
  return connector
}
