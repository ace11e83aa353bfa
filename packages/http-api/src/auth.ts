/**
 * Authentication of the HTTP APIs (reference §1.3): Basic credentials or a Bearer JWT from
 * `POST /token`. Only active when `basic_auth_credentials` is configured; `OPTIONS` requests
 * and `GET /health` always pass.
 */
import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { signToken, verifyToken } from './jwt.js'

const REALM = 'Restricted IPFS Cluster API'

export type AuthErrorBody = (c: Context, code: number, message: string) => Response

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The user a request authenticates as, or the reason it does not. */
export function authenticate(header: string | undefined, creds: Record<string, string>): { user: string } | { error: 'none' | 'basic' | 'bearer' } {
  if (header === undefined || header === '') return { error: 'none' }
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString()
    const i = decoded.indexOf(':')
    const user = i < 0 ? decoded : decoded.slice(0, i)
    const pass = i < 0 ? '' : decoded.slice(i + 1)
    const want = Object.hasOwn(creds, user) ? creds[user] : undefined
    if (user !== '' && pass !== '' && want !== undefined && same(pass, want)) return { user }
    return { error: 'basic' }
  }
  if (/^bearer /i.test(header)) {
    const user = verifyToken(header.slice(7).trim(), (iss) => (Object.hasOwn(creds, iss) ? creds[iss] : undefined))
    return user === undefined ? { error: 'bearer' } : { user }
  }
  return { error: 'none' }
}

/** Middleware enforcing auth when `creds` is non-null; stores the user as `c.get('user')`. */
export function authMiddleware(creds: Record<string, string> | null, body: AuthErrorBody): MiddlewareHandler {
  return async (c, next) => {
    if (creds === null || c.req.method === 'OPTIONS' || (c.req.method === 'GET' && c.req.path === '/health')) return next()
    const result = authenticate(c.req.header('authorization'), creds)
    if ('user' in result) {
      c.set('user' as never, result.user as never)
      return next()
    }
    const res = body(
      c,
      401,
      result.error === 'bearer' ? 'unauthorized: invalid token' : result.error === 'basic' ? 'unauthorized: access denied' : 'unauthorized: no auth provided',
    )
    if (result.error === 'basic') res.headers.set('WWW-Authenticate', `Basic realm="${REALM}"`)
    else if (result.error === 'bearer') res.headers.set('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`)
    else {
      res.headers.append('WWW-Authenticate', `Bearer realm="${REALM}"`)
      res.headers.append('WWW-Authenticate', `Basic realm="${REALM}"`)
    }
    return res
  }
}

/** `POST /token`: a JWT for the authenticated user, signed with their password. */
export function issueToken(c: Context, creds: Record<string, string> | null, body: AuthErrorBody): Response {
  const user = c.get('user' as never) as string | undefined
  if (creds === null || user === undefined || !Object.hasOwn(creds, user)) return body(c, 401, 'unauthorized')
  return c.json({ token: signToken(user, creds[user] as string) })
}
