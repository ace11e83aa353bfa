/**
 * Reads a CAR stream on its way to Kubo: passes every chunk through unchanged while a parser
 * reads the same bytes to learn the roots and count blocks and bytes (Kubo only reports roots
 * it pins, and we import without pinning). Memory stays bounded: chunks are handed to the
 * parser as they pass.
 */
import { CarBlockIterator } from '@ipld/car/iterator'
import type { IpfsDagImportResult } from '@pinmesh/interface'
import { InvalidArgumentError } from '@pinmesh/interface'
import { pushable } from 'it-pushable'

export interface CarTee {
  source: AsyncIterable<Uint8Array>
  result: Promise<IpfsDagImportResult>
  abort(): void
}

export function countCarBlocks(car: AsyncIterable<Uint8Array>): CarTee {
  const copy = pushable<Uint8Array>()
  const result = (async (): Promise<IpfsDagImportResult> => {
    let iterator: CarBlockIterator
    try {
      iterator = await CarBlockIterator.fromIterable(copy)
    } catch (err) {
      throw new InvalidArgumentError(`not a valid CAR file: ${(err as Error).message}`, 'car')
    }
    const roots = (await iterator.getRoots()).map((r) => r.toString())
    let blocks = 0
    let bytes = 0
    try {
      for await (const block of iterator) {
        blocks++
        bytes += block.bytes.byteLength
      }
    } catch (err) {
      throw new InvalidArgumentError(`not a valid CAR file: ${(err as Error).message}`, 'car')
    }
    return { roots, blocks, bytes }
  })()
  // Keep consuming the copy if the parser stopped early so the pass-through never stalls.
  result.catch(() => {
    void (async () => {
      for await (const _ of copy) {
        // drain
      }
    })()
  })
  const source = (async function* () {
    try {
      for await (const chunk of car) {
        copy.push(chunk)
        yield chunk
      }
    } finally {
      copy.end()
    }
  })()
  return {
    source,
    result,
    abort: () => copy.end(new Error('aborted')),
  }
}
