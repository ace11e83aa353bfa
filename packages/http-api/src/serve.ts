/**
 * Binds an API app to its configured listen addresses with `@hono/node-server` (so streamed
 * routes can send HTTP trailers), over HTTPS when `ssl_cert_file`/`ssl_key_file` are set
 * (paths relative to the peer's folder), with upstream's server timeouts and header limit.
 */
import { readFile } from 'node:fs/promises'
import { createServer as createHttpsServer } from 'node:https'
import { isAbsolute, join } from 'node:path'
import { createAdaptorServer, type ServerType, serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { HttpApiConfig } from './config.js'
import { tcpListenAddress } from './config.js'

export interface ServedApi {
  /** `http(s)://host:port` of every listener. */
  urls: string[]
  close(): Promise<void>
}

export interface ServeOptions {
  /** Key path for errors, e.g. `api.restapi`. */
  path: string
  /** Folder that relative certificate paths are resolved against. */
  baseDir?: string
}

function listen(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => {
    if (server.listening) return resolve()
    server.once('listening', () => resolve())
    server.once('error', reject)
  })
}

export async function serveApi(app: Hono, config: HttpApiConfig, opts: ServeOptions): Promise<ServedApi> {
  const tls = config.ssl_cert_file !== '' && config.ssl_key_file !== ''
  const resolvePath = (p: string) => (isAbsolute(p) || opts.baseDir === undefined ? p : join(opts.baseDir, p))
  const serverOptions = {
    maxHeaderSize: config.max_header_bytes,
    requestTimeout: config.read_timeout,
    // Node refuses a header timeout above a non-zero request timeout.
    headersTimeout: config.read_timeout > 0 ? Math.min(config.read_header_timeout, config.read_timeout) : config.read_header_timeout,
    keepAliveTimeout: config.idle_timeout,
    ...(tls
      ? {
          cert: await readFile(resolvePath(config.ssl_cert_file)),
          key: await readFile(resolvePath(config.ssl_key_file)),
          minVersion: 'TLSv1.2' as const,
        }
      : {}),
  }
  const servers: ServerType[] = []
  const urls: string[] = []
  try {
    for (const addr of config.http_listen_multiaddress) {
      if (addr.startsWith('/unix/')) {
        // A Unix socket: /unix/<absolute path>, or relative to the peer's folder.
        const socketPath = resolvePath(addr.slice('/unix/'.length))
        const server = tls
          ? createAdaptorServer({ fetch: app.fetch, createServer: createHttpsServer, serverOptions })
          : createAdaptorServer({ fetch: app.fetch, serverOptions })
        servers.push(server)
        server.listen(socketPath)
        await listen(server)
        urls.push(`unix:${socketPath}`)
        continue
      }
      const { hostname, port } = tcpListenAddress(addr, `${opts.path}.http_listen_multiaddress`)
      const server = tls
        ? serve({ fetch: app.fetch, hostname, port, createServer: createHttpsServer, serverOptions })
        : serve({ fetch: app.fetch, hostname, port, serverOptions })
      servers.push(server)
      await listen(server)
      const bound = server.address()
      const boundPort = typeof bound === 'object' && bound !== null ? bound.port : port
      if (config.write_timeout > 0) server.setTimeout(config.write_timeout)
      urls.push(`${tls ? 'https' : 'http'}://${hostname.includes(':') ? `[${hostname}]` : hostname}:${boundPort}`)
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
    throw err
  }
  return {
    urls,
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve())
              ;(s as { closeAllConnections?: () => void }).closeAllConnections?.()
            }),
        ),
      ).then(() => {}),
  }
}
