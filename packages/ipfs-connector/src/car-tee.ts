/**
 * Reads a CAR stream on its way to Kubo: passes every chunk through unchanged while a parser
 * reads the same bytes to learn the roots and count blocks and bytes (Kubo only reports roots
 * it pins, and we import without pinning). Memory stays bounded: chunks are handed to the
 * parser as they pass.
 */
import type { IpfsDagImportResult } from '@pinmesh/interface'
import { pushable } from 'it-pushable'
import { readCar } from './car-import.js'

export interface CarTee {
  source: AsyncIterable<Uint8Array>
  result: Promise<IpfsDagImportResult>
  abort(): void
}

export function countCarBlocks(car: AsyncIterable<Uint8Array>): CarTee {
  const copy = pushable<Uint8Array>()
  const result = readCar(copy)
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
