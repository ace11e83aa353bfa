/** The message of a Kubo error answer (`{"Message": …}`, or its text), or `HTTP <status>`. */
export async function kuboErrorMessage(res: IncomingMessage): Promise<string> {
  let text = ''
  res.setEncoding('utf8')
  for await (const chunk of res) text += chunk as string
  let message = text
  try {
    message = (JSON.parse(text) as { Message?: string }).Message ?? text
  } catch {
    // not JSON
  }
  return message.trim() || `HTTP ${res.statusCode}`
}

/**
 * Kubo's streamed answers (`pin/add?progress=true`, `add`, `dag/import`): one JSON object per
 * line. A `{"Type":"error"}` line, or an error Kubo reports after the status line in the
 * `X-Stream-Error` trailer, becomes an `IpfsError` naming `what`.
 */
import type { IncomingMessage } from 'node:http'
import { IpfsError } from '@pinmesh/interface'

export async function* kuboLines<T extends object>(res: IncomingMessage, what: string): AsyncGenerator<T> {
  const parse = (line: string): T => {
    const obj = JSON.parse(line) as T & { Type?: unknown; Message?: unknown }
    if (obj.Type === 'error') throw new IpfsError(`ipfs ${what} failed: ${String(obj.Message ?? 'unknown error')}`)
    return obj
  }
  res.setEncoding('utf8')
  let buffered = ''
  for await (const chunk of res) {
    buffered += chunk as string
    let nl = buffered.indexOf('\n')
    while (nl >= 0) {
      const line = buffered.slice(0, nl).trim()
      buffered = buffered.slice(nl + 1)
      nl = buffered.indexOf('\n')
      if (line !== '') yield parse(line)
    }
  }
  if (buffered.trim() !== '') yield parse(buffered.trim())
  const trailer = res.trailers['x-stream-error']
  if (trailer !== undefined && trailer !== '') throw new IpfsError(`ipfs ${what} failed: ${trailer}`)
}
