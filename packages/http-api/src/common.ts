/**
 * The request pipeline shared by the REST and Pinning Services APIs (reference §1.2):
 * metrics → auth → CORS → trailing-slash redirect → router, with 404 / 405 answers, configured
 * extra headers on every response, and JSON helpers that keep int64 values exact.
 */
import { stringifyJson } from '@pinmesh/interface'
import type { Context, Hono, MiddlewareHandler } from 'hono'
import { methodNotAllowed } from 'hono/method-not-allowed'
import type { Logger } from 'pino'
import { accessLog } from './access-log.js'
import { type AuthErrorBody, authMiddleware } from './auth.js'
import type { HttpApiConfig } from './config.js'
import { HttpError } from './errors.js'
import { httpMetricsMiddleware } from './http-metrics.js'

/** Headers every response of this API carries (configured `headers` and CORS results). */
export function extraHeaders(c: Context): [string, string][] {
  let h = c.get('extraHeaders' as never) as [string, string][] | undefined
  if (h === undefined) {
    h = []
    c.set('extraHeaders' as never, h as never)
  }
  return h
}

/** JSON body with int64-safe encoding. */
export function sendJson(c: Context, value: unknown, status = 200): Response {
  return c.body(stringifyJson(value), status as 200, { 'Content-Type': 'application/json' })
}

const DEFAULT_CORS_HEADERS = ['Origin', 'Accept', 'Content-Type', 'X-Requested-With']

/** rs/cors-like CORS: preflights answered here (204), simple requests annotated. */
export function corsMiddleware(config: HttpApiConfig): MiddlewareHandler {
  const anyOrigin = config.cors_allowed_origins.includes('*')
  const origins = new Set(config.cors_allowed_origins.map((o) => o.toLowerCase()))
  const methods = new Set(config.cors_allowed_methods.map((m) => m.toUpperCase()))
  const allowedHeaders = (config.cors_allowed_headers.length > 0 ? config.cors_allowed_headers : DEFAULT_CORS_HEADERS).map((h) => h.toLowerCase())
  const anyHeader = allowedHeaders.includes('*')
  const originAllowed = (o: string) => anyOrigin || origins.has(o.toLowerCase())
  return async (c, next) => {
    const origin = c.req.header('origin')
    const requestMethod = c.req.header('access-control-request-method')
    if (c.req.method === 'OPTIONS' && requestMethod !== undefined) {
      const h = new Headers({ Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' })
      const wanted = (c.req.header('access-control-request-headers') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
      const headersOk = anyHeader || wanted.every((w) => allowedHeaders.includes(w.toLowerCase()))
      if (origin !== undefined && originAllowed(origin) && methods.has(requestMethod.toUpperCase()) && headersOk) {
        h.set('Access-Control-Allow-Origin', anyOrigin && !config.cors_allow_credentials ? '*' : origin)
        h.set('Access-Control-Allow-Methods', requestMethod.toUpperCase())
        if (wanted.length > 0) h.set('Access-Control-Allow-Headers', wanted.join(', '))
        if (config.cors_allow_credentials) h.set('Access-Control-Allow-Credentials', 'true')
        if (config.cors_max_age > 0) h.set('Access-Control-Max-Age', String(Math.floor(config.cors_max_age / 1000)))
      }
      return new Response(null, { status: 204, headers: h })
    }
    const extra = extraHeaders(c)
    if (origin !== undefined) {
      extra.push(['Vary', 'Origin'])
      if (originAllowed(origin) && methods.has(c.req.method.toUpperCase())) {
        extra.push(['Access-Control-Allow-Origin', anyOrigin && !config.cors_allow_credentials ? '*' : origin])
        if (config.cors_exposed_headers.length > 0) extra.push(['Access-Control-Expose-Headers', config.cors_exposed_headers.join(', ')])
        if (config.cors_allow_credentials) extra.push(['Access-Control-Allow-Credentials', 'true'])
      }
    }
    return next()
  }
}

/** Upstream redirects `/path/` to `/path` with 307 (method kept). */
const trailingSlash: MiddlewareHandler = async (c, next) => {
  const path = c.req.path
  if (path.length > 1 && path.endsWith('/')) {
    const url = new URL(c.req.url)
    url.pathname = url.pathname.replace(/\/+$/, '') || '/'
    return c.redirect(`${url.pathname}${url.search}`, 307)
  }
  return next()
}

export interface PipelineOptions {
  /** Label of the API in metrics (`rest`, `pinsvc`). */
  api: string
  config: HttpApiConfig
  /** Error body format of this API. */
  errorBody: AuthErrorBody
  logger?: Logger
}

/** Installs the shared pipeline on `app`. Call before registering routes. */
export function installPipeline(app: Hono, opts: PipelineOptions): void {
  const { config } = opts
  app.use(httpMetricsMiddleware(opts.api))
  app.use(accessLog({ file: config.http_log_file, ...(opts.logger !== undefined ? { logger: opts.logger } : {}) }))
  const configured = Object.entries(config.headers).flatMap(([name, values]) => values.map((v): [string, string] => [name, v]))
  app.use(async (c, next) => {
    const extra = extraHeaders(c)
    for (const header of configured) extra.push(header)
    await next()
    if (c.res.headers.get('x-hono-already-sent') !== null) return
    for (const [name, value] of extra) {
      if (name.toLowerCase() === 'vary') c.res.headers.append(name, value)
      else c.res.headers.set(name, value)
    }
  })
  app.use(authMiddleware(config.basic_auth_credentials, opts.errorBody))
  app.use(corsMiddleware(config))
  app.use(trailingSlash)
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => c.body(null, 405, { Allow: methods.join(', ') }),
    }),
  )
  app.notFound((c) => opts.errorBody(c, 404, 'not found'))
}

/** Reads a JSON request body no larger than `limit` bytes; 413 / 400 errors name the problem. */
export async function readJsonBody(c: Context, limit: number): Promise<unknown> {
  const text = await readBodyText(c, limit)
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new HttpError(400, `error decoding request body: ${(err as Error).message}`)
  }
}

export async function readBodyText(c: Context, limit: number): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? Number.NaN)
  if (declared > limit) throw new HttpError(413, `request body too large: ${declared} bytes, the limit is ${limit} bytes`)
  const body = c.req.raw.body
  if (body === null) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > limit) throw new HttpError(413, `request body too large: more than ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
