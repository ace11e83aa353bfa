/**
 * Kubo `pin/add` with `progress=true`, read as NDJSON: `{"Progress":N}` lines while blocks are
 * fetched, then `{"Pins":[…]}`. The request is aborted when `Progress` has not increased for
 * `pinTimeout` ms (upstream's inactivity semantics, reference §6.5). kubo-rpc-client's `pin.add`
 * does not expose progress, so this call is made directly — over `node:http` with the
 * connector's keep-alive agent, which costs far less CPU per request than `fetch`.
 *
 * Several CIDs can go in one request (`arg` repeated): Kubo pins them one after the other and
 * answers once with all of them, or fails the whole request at the first CID that fails (the
 * ones before it stay pinned). The caller learns per-CID errors by pinning one by one.
 */
import { type Agent, type IncomingMessage, request } from 'node:http'
import type { IpfsPinOptions } from '@pinmesh/interface'
import { IpfsError } from '@pinmesh/interface'
import { inactivity } from './deadline.js'
import { kuboErrorMessage, kuboLines } from './kubo-ndjson.js'

interface PinAddLine {
  Progress?: number
  Pins?: string[]
}

function post(url: string, agent: Agent | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { method: 'POST', signal, ...(agent ? { agent } : {}) })
    req.once('response', resolve)
    req.once('error', reject)
    req.end()
  })
}

/** `pin/add` of `cids` (one request); resolves once Kubo confirms every one of them. */
export async function kuboPinAdd(
  url: string,
  cids: string[],
  maxDepth: number,
  pinTimeout: number,
  options: IpfsPinOptions & { agent?: Agent } = {},
): Promise<void> {
  const what = cids.length === 1 ? `pin ${cids[0]}` : `pin of ${cids.length} CIDs (${cids[0]} …)`
  const q = new URLSearchParams()
  for (const cid of cids) q.append('arg', cid)
  q.set('recursive', String(maxDepth !== 0))
  q.set('progress', 'true')
  const watch = inactivity(options.signal, pinTimeout, what)
  let res: IncomingMessage | undefined
  try {
    res = await post(`${url}/api/v0/pin/add?${q}`, options.agent, watch.signal)
    if (res.statusCode !== 200) throw new IpfsError(`ipfs ${what} failed: ${await kuboErrorMessage(res)}`)
    let progress = -1
    let pinned: string[] | undefined
    for await (const obj of kuboLines<PinAddLine>(res, what)) {
      if (obj.Pins !== undefined) pinned = obj.Pins
      if (typeof obj.Progress === 'number' && obj.Progress > progress) {
        progress = obj.Progress
        watch.touch()
        options.onProgress?.({ blocks: progress })
      }
    }
    if (pinned === undefined) throw new IpfsError(`ipfs ${what} failed: the response ended before the pin was confirmed`)
    if (pinned.length !== cids.length) throw new IpfsError(`ipfs ${what} failed: Kubo confirmed ${pinned.length} of ${cids.length} pins`)
  } catch (err) {
    if (watch.expired) throw watch.signal.reason
    throw err
  } finally {
    watch.clear()
    res?.destroy()
  }
}
