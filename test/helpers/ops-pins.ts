/**
 * Test fixture for the crash and partition suites: CIDs, a sustained writer that records which
 * pins a peer acknowledged (HTTP 200) through its REST API, and a digest of a peer's pinset as its
 * API lists it (`GET /allocations`), comparable across peers.
 */
import { createHash } from 'node:crypto'
import { decodePin, parseJson } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

export async function cidOf(text: string): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text))).toString()
}

export interface Writer {
  /** CIDs the peer answered 200 for. */
  acked: Set<string>
  /** Requests that failed (connection errors, 5xx): not acknowledged, may or may not be stored. */
  failed: number
  /** Non-200 answers that are not transport failures, with their bodies. */
  rejected: string[]
  /** Requests sent and not answered yet. */
  inFlight: number
  /** Stops writing and waits for the in-flight requests. */
  stop(): Promise<void>
}

/** Writes pins `<prefix>-<n>` to `api` with `concurrency` parallel requests until stopped. */
export function startWriter(api: string, prefix: string, options: { concurrency?: number; pause?: number } = {}): Writer {
  let stopped = false
  let n = 0
  const writer: Writer = {
    acked: new Set(),
    failed: 0,
    rejected: [],
    inFlight: 0,
    async stop() {
      stopped = true
      await Promise.all(loops)
    },
  }
  const loop = async () => {
    while (!stopped) {
      const cid = await cidOf(`${prefix}-${n++}`)
      writer.inFlight++
      try {
        const res = await fetch(`${api}/pins/${cid}?name=${encodeURIComponent(prefix)}`, { method: 'POST', signal: AbortSignal.timeout(20_000) })
        const body = await res.text()
        writer.inFlight--
        if (res.status === 200) writer.acked.add(cid)
        else if (res.status >= 500) writer.failed++
        else writer.rejected.push(`${res.status} ${body}`)
      } catch {
        writer.inFlight--
        writer.failed++
        // The peer is down: do not spin.
        await new Promise((r) => setTimeout(r, 100))
      }
      if (options.pause) await new Promise((r) => setTimeout(r, options.pause))
    }
  }
  const loops = Array.from({ length: options.concurrency ?? 4 }, loop)
  return writer
}

/** Every CID in the pinset as `api` lists it (`GET /allocations`). */
export async function allocations(api: string): Promise<Map<string, string>> {
  const res = await fetch(`${api}/allocations`, { signal: AbortSignal.timeout(20_000) })
  const out = new Map<string, string>()
  if (res.status === 204) return out
  if (res.status !== 200) throw new Error(`GET ${api}/allocations answered ${res.status}: ${await res.text()}`)
  const text = await res.text()
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const pin = decodePin(parseJson(line))
    out.set(pin.cid, line)
  }
  return out
}

/** A digest of the pinset as `api` lists it: sha256 over the sorted pin lines. */
export async function listingDigest(api: string): Promise<{ digest: string; size: number }> {
  const pins = await allocations(api)
  const lines = [...pins.values()].sort()
  return { digest: createHash('sha256').update(lines.join('\n')).digest('hex'), size: lines.length }
}
