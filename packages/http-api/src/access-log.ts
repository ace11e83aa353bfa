/**
 * HTTP access log: Apache common-log lines (upstream's gorilla LoggingHandler format) appended
 * to `http_log_file` when set, and a debug-level pino entry per request otherwise.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

export function accessLog(opts: { file?: string; logger?: Logger }): MiddlewareHandler {
  let stream: WriteStream | undefined
  if (opts.file !== undefined && opts.file !== '') {
    stream = createWriteStream(opts.file, { flags: 'a' })
    stream.on('error', (err) => opts.logger?.error({ err, file: opts.file }, 'cannot write http access log'))
  }
  const logger = opts.logger
  return async (c, next) => {
    // Without a file, entries are debug-level: skip the per-request work unless they are wanted.
    if (stream === undefined && logger?.isLevelEnabled('debug') !== true) return next()
    const start = Date.now()
    await next()
    const url = new URL(c.req.url)
    const status = c.res.status
    const user = (c.get('user' as never) as string | undefined) ?? '-'
    if (stream !== undefined) {
      const remote = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? '-'
      const size = c.res.headers.get('content-length') ?? '-'
      stream.write(`${remote} - ${user} [${clfTime(new Date(start))}] "${c.req.method} ${url.pathname}${url.search} HTTP/1.1" ${status} ${size}\n`)
    } else logger?.debug({ method: c.req.method, path: url.pathname, status, ms: Date.now() - start, user }, 'http request')
  }
}
