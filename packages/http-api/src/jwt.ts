/**
 * The JWT subset upstream's REST API uses (reference §1.3): HMAC-signed (HS256/384/512) tokens
 * whose `iss` claim names the user and whose key is that user's password. Issued tokens are
 * HS256 with `{"iss": user}` only, no expiry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

const ALGS: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/** Signs `{"iss": issuer}` with HS256 and `key`. */
export function signToken(issuer: string, key: string): string {
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ iss: issuer }))}`
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`
}

/** The issuer of a token, unverified (`undefined` when the token is not a JWT). */
export function tokenIssuer(token: string): { iss: string; alg: string; claims: Record<string, unknown> } | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString()) as { alg?: unknown }
    const claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString()) as Record<string, unknown>
    if (typeof claims !== 'object' || claims === null || typeof claims.iss !== 'string' || typeof header.alg !== 'string') return undefined
    return { iss: claims.iss, alg: header.alg, claims }
  } catch {
    return undefined
  }
}

/** Verifies signature (HMAC only) and exp/nbf/iat; returns the issuer or `undefined`. */
export function verifyToken(token: string, keyFor: (issuer: string) => string | undefined, now = Date.now()): string | undefined {
  const parsed = tokenIssuer(token)
  if (parsed === undefined) return undefined
  const hash = ALGS[parsed.alg]
  const key = keyFor(parsed.iss)
  if (hash === undefined || key === undefined) return undefined
  const [h, p, sig] = token.split('.') as [string, string, string]
  const expected = createHmac(hash, key).update(`${h}.${p}`).digest()
  const given = Buffer.from(sig, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  const secs = now / 1000
  const { exp, nbf, iat } = parsed.claims
  if (typeof exp === 'number' && secs >= exp) return undefined
  if (typeof nbf === 'number' && secs < nbf) return undefined
  if (typeof iat === 'number' && secs + 60 < iat) return undefined
  return parsed.iss
}
