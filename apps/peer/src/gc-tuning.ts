/**
 * V8 tuning for a Kubo-backed peer, whose `/add` pipes every uploaded byte through this process
 * to Kubo. Each chunk of a request body arrives in a fresh Buffer whose memory lives outside
 * the JS heap, and by default V8 starts a full mark-compact of the whole heap every few tens of
 * MiB of such memory: eight or nine per 256 MiB upload in a peer with a 45 MB heap, which was
 * most of the peer's CPU per uploaded byte (measured: ~1 s of 1.2 s, half of it in V8's helper
 * threads — CPU taken from Kubo on a small machine). Counting that memory in V8's global heap
 * limit instead (`--external-memory-accounted-in-global-limit`, which newer V8 releases turn on
 * by default) lets the cheap young-generation collections free the short-lived Buffers: about
 * one full collection per upload, peer CPU per upload halved.
 *
 * The price is memory: more garbage waits for a collection (1 GiB upload, peak RSS 329 MiB
 * instead of 276 MiB; still bounded, asserted in `test/system/ipfs-add-large.spec.ts`). The
 * embedded node parses uploads and runs the UnixFS importer in this process, where the same flag
 * raised the peak from 382 to 467 MiB for little gain, so it is set for Kubo-backed peers only.
 */
import { setFlagsFromString } from 'node:v8'

let tuned = false

/** Sets the flag once per process. */
export function tuneGcForStreaming(): void {
  if (tuned) return
  tuned = true
  setFlagsFromString('--external-memory-accounted-in-global-limit')
}
