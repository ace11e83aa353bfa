/**
 * Kubo `pin/add` with `progress=true`, read as NDJSON: `{"Progress":N}` lines while blocks are
 * fetched, then `{"Pins":[…]}`. The request is aborted when `Progress` has not increased for
 * `pinTimeout` ms (upstream's inactivity semantics, reference §6.5). kubo-rpc-client's `pin.add`
 * does not expose progress, so this one call is made with `fetch` directly.
 */
import type { IpfsPinOptions } from '@pinmesh/interface'
import { IpfsError } from '@pinmesh/interface'
import { inactivity } from './deadline.js'

export async function kuboPinAdd(url: string, cid: string, maxDepth: number, pinTimeout: number, options: IpfsPinOptions = {}): Promise<void> {
  const q = new URLSearchParams({ arg: cid, recursive: String(maxDepth !== 0), progress: 'true' })
  const watch = inactivity(options.signal, pinTimeout, `pin ${cid}`)
  try {
    const res = await fetch(`${url}/api/v0/pin/add?${q}`, { method: 'POST', signal: watch.signal })
    if (res.status !== 200) {
      const text = await res.text()
      let message = text
      try {
        message = (JSON.parse(text) as { Message?: string }).Message ?? text
      } catch {
        // not JSON
      }
      throw new IpfsError(`ipfs pin ${cid} failed: ${message.trim() || `HTTP ${res.status}`}`)
    }
    if (res.body === null) throw new IpfsError(`ipfs pin ${cid} failed: empty response`)
    const decoder = new TextDecoder()
    let buffered = ''
    let progress = -1
    let done = false
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk, { stream: true })
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl).trim()
        buffered = buffered.slice(nl + 1)
        nl = buffered.indexOf('\n')
        if (line === '') continue
        const obj = JSON.parse(line) as { Progress?: number; Pins?: string[]; Message?: string; Type?: string }
        if (obj.Type === 'error') throw new IpfsError(`ipfs pin ${cid} failed: ${obj.Message ?? 'unknown error'}`)
        if (obj.Pins !== undefined) done = true
        if (typeof obj.Progress === 'number' && obj.Progress > progress) {
          progress = obj.Progress
          watch.touch()
          options.onProgress?.({ blocks: progress })
        }
      }
    }
    if (!done) throw new IpfsError(`ipfs pin ${cid} failed: the response ended before the pin was confirmed`)
  } catch (err) {
    if (watch.expired) throw watch.signal.reason
    throw err
  } finally {
    watch.clear()
  }
}
