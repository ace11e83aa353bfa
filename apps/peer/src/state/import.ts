/**
 * `pinmesh state import [-f] [--rmin N] [--rmax N] [--allocations p1,p2] [file|-]`: replaces the
 * state with the pins of an export (ours or upstream's, reference §11).
 *
 * All or nothing: the pins are written into a fresh staging state beside the live one while the
 * input is read; the first malformed value aborts the import with its line number, the staging
 * state is deleted and the live state is untouched. Only a complete staging state is swapped in
 * (see `store.ts`). The input streams; nothing but the staging pinset grows with its size.
 */
import { rm } from 'node:fs/promises'
import type { Pin, Pinset } from '@pinmesh/interface'
import { confirm } from './confirm.js'
import { fileSize, openInput } from './input.js'
import { jsonValues } from './json-values.js'
import { type ImportOverrides, pinFromValue } from './pin-input.js'
import { createProgress, type ProgressStream } from './progress.js'
import type { StateSession } from './session.js'
import { assertStateFree, openPinsetAt, stagingFolder, swapInState } from './store.js'

export interface ImportOptions {
  /** Input file; stdin when absent or `-`. */
  file?: string
  force: boolean
  overrides: ImportOverrides
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stderr: ProgressStream
  signal?: AbortSignal
}

export const IMPORT_PROMPT = 'The pinset (state) of this peer will be replaced. Continue?'

/** Puts in flight at once, so a batching pinset can group them into few commits. */
const WINDOW = 256

async function putWithRetry(pinset: Pinset, pin: Pin, signal?: AbortSignal): Promise<void> {
  for (let delay = 5; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await pinset.put(pin, { signal })
    } catch (err) {
      if ((err as Error).name !== 'QueueFullError') throw err
      await new Promise((r) => setTimeout(r, delay))
    }
  }
}

/** Replaces the session's peer state; returns the number of pins read. */
export async function importState(session: StateSession, options: ImportOptions): Promise<number> {
  const { configDir } = session
  const fromStdin = options.file === undefined || options.file === '-'
  // Fails now if a daemon runs here.
  await assertStateFree(configDir)
  let staging: string | undefined
  let pinset: Pinset | undefined
  const inFlight = new Set<Promise<void>>()
  try {
    if (!options.force) await confirm(IMPORT_PROMPT, { input: options.stdin, output: options.stderr, inputIsData: fromStdin })
    const total = fromStdin ? undefined : await fileSize(options.file as string)
    const input = fromStdin ? options.stdin : await openInput(options.file as string)
    staging = stagingFolder(configDir)
    pinset = await openPinsetAt(staging, session.pinset, session.logger)
    const progress = createProgress({ label: 'importing', total, unit: 'bytes', stream: options.stderr })
    let bytes = 0
    let count = 0
    const counted = async function* () {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        bytes += chunk.length
        yield chunk
      }
    }
    let failure: unknown
    for await (const value of jsonValues(counted())) {
      options.signal?.throwIfAborted()
      const pin = pinFromValue(value, options.overrides)
      const p: Promise<void> = putWithRetry(pinset, pin, options.signal).then(
        () => {
          inFlight.delete(p)
        },
        (err: unknown) => {
          inFlight.delete(p)
          failure ??= err
        },
      )
      inFlight.add(p)
      count++
      if (inFlight.size >= WINDOW) await Promise.race(inFlight)
      if (failure !== undefined) throw failure
      progress.update(bytes, count)
    }
    await Promise.all(inFlight)
    if (failure !== undefined) throw failure
    progress.update(bytes, count)
    progress.finish()
    await pinset.close()
    pinset = undefined
    await swapInState(configDir, staging)
    staging = undefined
    return count
  } finally {
    await Promise.allSettled(inFlight)
    await pinset?.close().catch(() => {})
    if (staging !== undefined) await rm(staging, { recursive: true, force: true })
  }
}
