/**
 * Young-generation collections paced by streamed bytes, for code that relays large uploads.
 *
 * Every chunk of an HTTP request body arrives in a fresh Buffer whose memory lives outside the
 * JS heap and dies as soon as it has been written on. The relay allocates almost nothing else,
 * so V8's cheap young-generation collection (scavenge) rarely runs and those Buffers pile up
 * until the external memory they hold trips a full mark-compact of the whole heap — in a peer
 * with a ~45 MB heap about one every 25–30 MiB, ~2 s of CPU per 256 MiB relayed, taken from the
 * Kubo daemon hashing on the same cores. A scavenge every few MiB frees them while they are
 * young (~1–3 ms each): measured 0.55–0.75 s per 256 MiB, as cheap as a bare Node relay, and a
 * lower peak RSS than counting the Buffers in V8's heap limit (215 vs 330–420 MiB).
 *
 * `gc()` is only reachable with `--expose-gc`; the flag is switched on just long enough to take
 * the function from a fresh `vm` context, so no other code sees a `gc` global.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type GcFunction = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void

/** Bytes relayed between two young-generation collections. */
export const YOUNG_GC_EVERY = 8 << 20

let gc: GcFunction | null | undefined

/** Runs one young-generation collection (scavenge), when the embedder lets us. */
export function collectYoung(): void {
  gcFunction()?.({ type: 'minor' })
}

function gcFunction(): GcFunction | null {
  if (gc !== undefined) return gc
  try {
    setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as GcFunction
  } catch {
    gc = null
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
  return gc
}

/**
 * A counter for one stream: call it with each chunk's length; it runs a young-generation
 * collection after every `every` bytes. Without a `gc` function (an embedder that refuses the
 * flag) it does nothing.
 */
export function youngGcPacer(every = YOUNG_GC_EVERY, collect: () => void = collectYoung): (bytes: number) => void {
  let pending = 0
  return (bytes) => {
    pending += bytes
    if (pending < every) return
    pending = 0
    collect()
  }
}

/**
 * Paces young-generation collections by the chunks a relayed stream emits (listening to `data`
 * puts the stream in flowing mode, as the `pipe` it goes along with does). Returns a function
 * that stops it.
 */
export function paceYoungGc(stream: Pick<NodeJS.EventEmitter, 'on' | 'off'>, every = YOUNG_GC_EVERY, collect: () => void = collectYoung): () => void {
  const pace = youngGcPacer(every, collect)
  const onData = (chunk: { length: number }) => pace(chunk.length)
  stream.on('data', onData)
  return () => stream.off('data', onData)
}
