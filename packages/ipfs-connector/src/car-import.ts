/**
 * CAR import for the embedded node: reads a CAR stream block by block (never the whole file),
 * checks that each block's bytes hash to its CID, and stores it.
 */
import { CarBlockIterator } from '@ipld/car/iterator'
import type { AbortOptions, IpfsDagImportResult } from '@pinmesh/interface'
import { InvalidArgumentError } from '@pinmesh/interface'
import type { CID } from 'multiformats/cid'
import type { MultihashHasher } from 'multiformats/hashes/interface'
import { sha256, sha512 } from 'multiformats/hashes/sha2'

const HASHERS = new Map<number, MultihashHasher<number>>([
  [sha256.code, sha256],
  [sha512.code, sha512],
])
const IDENTITY = 0x00

export interface BlockSink {
  put(cid: CID, bytes: Uint8Array, options?: AbortOptions): Promise<unknown> | unknown
}

type CarBlock = { cid: CID; bytes: Uint8Array }

/**
 * Reads a CAR stream: its roots, then `onBlock` for every block, counting blocks and bytes.
 * A malformed CAR throws `InvalidArgumentError`; so do errors `onBlock` throws as that type.
 */
export async function readCar(
  car: AsyncIterable<Uint8Array>,
  onBlock?: (block: CarBlock) => Promise<void>,
  options: AbortOptions = {},
): Promise<IpfsDagImportResult> {
  let iterator: CarBlockIterator
  try {
    iterator = await CarBlockIterator.fromIterable(car)
  } catch (err) {
    throw new InvalidArgumentError(`not a valid CAR file: ${(err as Error).message}`, 'car')
  }
  const roots = (await iterator.getRoots()).map((r) => r.toString())
  let blocks = 0
  let bytes = 0
  try {
    for await (const block of iterator) {
      options.signal?.throwIfAborted()
      await onBlock?.(block)
      blocks++
      bytes += block.bytes.byteLength
    }
  } catch (err) {
    if (err instanceof InvalidArgumentError || options.signal?.aborted === true) throw err
    throw new InvalidArgumentError(`not a valid CAR file: ${(err as Error).message}`, 'car')
  }
  return { roots, blocks, bytes }
}

/** Imports every block of a CAR stream into `sink`; throws `InvalidArgumentError` on a malformed CAR or a block whose hash does not match. */
export async function importCar(car: AsyncIterable<Uint8Array>, sink: BlockSink, options: AbortOptions = {}): Promise<IpfsDagImportResult> {
  return readCar(
    car,
    async (block) => {
      const code = block.cid.multihash.code
      if (code !== IDENTITY) {
        const hasher = HASHERS.get(code)
        if (hasher === undefined) throw new InvalidArgumentError(`block ${block.cid} uses unsupported hash function 0x${code.toString(16)}`, 'car')
        const digest = await hasher.digest(block.bytes)
        if (!Buffer.from(digest.digest).equals(block.cid.multihash.digest)) throw new InvalidArgumentError(`block ${block.cid} does not match its hash`, 'car')
      }
      await sink.put(block.cid, block.bytes, options)
    },
    options,
  )
}
