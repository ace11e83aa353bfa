/**
 * Adding content (reference §1.11): the files of an upload go into the local IPFS node as they
 * stream in (UnixFS DAG with Kubo's defaults, or the blocks of one CAR file), then the root is
 * pinned through the normal cluster pin path, so it is allocated and replicated like any pin.
 *
 * Unlike upstream, blocks are not streamed to every allocated peer during the add: they stay in
 * the local node, and the pin carries the local IPFS node's addresses as `origins`, so the
 * allocated peers' IPFS nodes connect to it and fetch the DAG over bitswap.
 *
 * Output order: one `AddedOutput` per file and directory as the importer finishes it, progress
 * events (`cid: null`) interleaved when asked for, and the root last, carrying its allocations.
 */
import * as dagPb from '@ipld/dag-pb'
import type { AddedOutput, ClusterAddOptions, IpfsAddEntries, IpfsConnector, Pin, PinOptions } from '@pinmesh/interface'
import { InvalidArgumentError } from '@pinmesh/interface'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import type { Logger } from 'pino'

export interface AddComponents {
  ipfs: IpfsConnector
  /** The cluster's pin path (validation, defaults, allocation, commit). */
  pin(cid: string, options: PinOptions): Promise<Pin>
  peerId: string
  logger: Logger
}

const MAX_ORIGINS = 10
const LOOPBACK = /^\/(ip4\/127\.|ip6\/::1\/)/

/** The local IPFS node's addresses, routable ones first, as pin origins (`/p2p/<id>` appended). */
export async function localIpfsOrigins(ipfs: IpfsConnector, signal?: AbortSignal): Promise<string[]> {
  try {
    const id = await ipfs.id(signal ? { signal } : {})
    const addrs = id.addresses.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${id.id}`))
    return [...addrs.filter((a) => !LOOPBACK.test(a)), ...addrs.filter((a) => LOOPBACK.test(a))].slice(0, MAX_ORIGINS)
  } catch {
    return []
  }
}

/** A small async queue: the producer pushes outputs, the consumer's generator yields them. */
function channel<T>() {
  const items: T[] = []
  let wake: (() => void) | undefined
  let finished = false
  let failure: unknown
  return {
    push(item: T) {
      items.push(item)
      wake?.()
    },
    end(err?: unknown) {
      finished = true
      failure = err
      wake?.()
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      for (;;) {
        while (items.length > 0) yield items.shift() as T
        if (finished) {
          if (failure !== undefined) throw failure
          return
        }
        await new Promise<void>((r) => {
          wake = r
        })
        wake = undefined
      }
    },
  }
}

/** Size of a UnixFS file or directory root, when the root is dag-pb UnixFS. */
async function unixfsSize(ipfs: IpfsConnector, cid: string, signal?: AbortSignal): Promise<number | undefined> {
  const c = CID.parse(cid)
  if (c.code !== dagPb.code) return undefined
  try {
    const node = dagPb.decode(await ipfs.blockGet(cid, signal ? { signal } : {}))
    if (node.Data === undefined) return undefined
    const fs = UnixFS.unmarshal(node.Data)
    const size = Number(fs.fileSize())
    return size > 0 ? size : undefined
  } catch {
    return undefined
  }
}

/** Reads exactly one CAR file from the entries and imports it. */
async function importCarEntry(c: AddComponents, entries: IpfsAddEntries, options: ClusterAddOptions): Promise<AddedOutput> {
  if (options.wrapWithDirectory) throw new InvalidArgumentError('cannot wrap a CAR file upload')
  if (c.ipfs.dagImport === undefined) throw new InvalidArgumentError('this IPFS node cannot import CAR files')
  let result: AddedOutput | undefined
  for await (const entry of entries) {
    if (result !== undefined) throw new InvalidArgumentError('only one CAR file can be imported per request')
    if (entry.content === undefined) throw new InvalidArgumentError(`a CAR import takes one file, got the directory ${JSON.stringify(entry.path)}`)
    const content =
      entry.content instanceof Uint8Array
        ? (async function* (b: Uint8Array) {
            yield b
          })(entry.content)
        : entry.content
    const imported = await c.ipfs.dagImport(content, options.signal ? { signal: options.signal } : {})
    if (imported.roots.length !== 1) throw new InvalidArgumentError('only CAR files with a single root are supported')
    const root = imported.roots[0] as string
    const size = await unixfsSize(c.ipfs, root, options.signal)
    result = { name: entry.path, cid: root, bytes: imported.bytes, ...(size !== undefined ? { size } : {}) }
  }
  if (result === undefined) throw new InvalidArgumentError('no CAR file in the request')
  return result
}

function pinOptionsOf(options: ClusterAddOptions, origins: string[], peerId: string): PinOptions {
  const userAllocations = options.user_allocations ?? (options.local === true ? [peerId] : null)
  return {
    replication_factor_min: options.replication_factor_min,
    replication_factor_max: options.replication_factor_max,
    name: options.name,
    mode: 'recursive',
    shard_size: options.shard_size,
    user_allocations: userAllocations,
    expire_at: options.expire_at,
    metadata: options.metadata,
    pin_update: null,
    origins: options.origins.length > 0 ? options.origins : origins,
  }
}

/** Adds content and pins its root through the cluster; streams `AddedOutput`s, the root last. */
export async function* addContent(c: AddComponents, entries: IpfsAddEntries, options: ClusterAddOptions): AsyncIterable<AddedOutput> {
  const format = options.format ?? 'unixfs'
  if (format !== 'unixfs' && format !== 'car') throw new InvalidArgumentError('format parameter is invalid')
  const out = channel<AddedOutput>()
  const started = Date.now()

  const produce = async () => {
    let root: AddedOutput
    if (format === 'car') {
      root = await importCarEntry(c, entries, options)
    } else {
      let last: AddedOutput | undefined
      for await (const added of c.ipfs.add(entries, {
        ...options,
        // Let the node pin while it builds the DAG; the tracker's pin is then a no-op here, and
        // releases the content if the cluster allocates it elsewhere.
        pin: options.noPin !== true,
        ...(options.progress === true ? { onProgress: (name: string, bytes: number) => out.push({ name, cid: null, bytes }) } : {}),
      })) {
        if (last !== undefined) out.push(last)
        last = { name: added.path, cid: added.cid, ...(added.size > 0 ? { size: added.size } : {}) }
      }
      if (last === undefined) throw new InvalidArgumentError('no files in the request')
      root = last
    }
    if (options.noPin !== true) {
      const origins = await localIpfsOrigins(c.ipfs, options.signal)
      let pin: Pin
      try {
        pin = await c.pin(root.cid as string, pinOptionsOf(options, origins, c.peerId))
      } catch (err) {
        // the cluster refused the pin: do not leave the node's own pin from the add behind
        if (format === 'unixfs') await c.ipfs.unpin(root.cid as string).catch(() => {})
        throw err
      }
      if (pin.allocations.length > 0) root.allocations = pin.allocations
    }
    c.logger.info({ cid: root.cid, name: root.name, format, ms: Date.now() - started, pinned: options.noPin !== true }, 'content added')
    out.push(root)
  }
  produce().then(
    () => out.end(),
    (err: unknown) => out.end(err),
  )
  yield* out
}
