/**
 * The headers the IPFS proxy copies from Kubo onto the responses of the endpoints it hijacks, as
 * upstream does (`api/ipfsproxy/headers.go`), so browser clients configured against Kubo's
 * `API.HTTPHeaders` keep working:
 *
 * - CORS, per request: an `OPTIONS` request for the same path with the client's `Origin` and
 *   `Access-Control-Request-Method`; `Access-Control-Allow-Origin`, `Vary` and
 *   `Access-Control-Allow-Credentials` of Kubo's answer are copied. Skipped when the client sent
 *   no `Origin` (Kubo answers such a preflight with no CORS headers at all).
 * - Extracted, cached: `Access-Control-Expose-Headers` plus `extract_headers_extra`, from a
 *   `POST <extract_headers_path>` to Kubo, re-extracted when older than `extract_headers_ttl`
 *   (0 = extracted once, kept forever — upstream's meaning). A failed extraction keeps what was
 *   extracted before and is retried after `RETRY_AFTER_FAILURE_MS` (upstream caches the failure
 *   for the whole TTL, which with a TTL of 0 would mean never).
 */
import type { Logger } from 'pino'

/** Copied from Kubo's answer to a preflight for the hijacked request's path and origin. */
export const CORS_HEADERS = ['Access-Control-Allow-Origin', 'Vary', 'Access-Control-Allow-Credentials']
/** Always extracted from `extract_headers_path` (upstream's `extractHeadersDefault`). */
export const EXTRACT_HEADERS_DEFAULT = ['Access-Control-Expose-Headers']

const REQUEST_TIMEOUT_MS = 5_000
export const RETRY_AFTER_FAILURE_MS = 5_000

export interface KuboHeadersConfig {
  /** Kubo RPC base URL, `http://127.0.0.1:5001`. */
  kuboUrl: string
  extract_headers_extra: string[]
  extract_headers_path: string
  /** Milliseconds; 0 = never re-extracted. */
  extract_headers_ttl: number
}

export interface KuboHeadersComponents {
  logger?: Logger
  /** Clock in ms (tests). */
  now?: () => number
}

export interface KuboHeaders {
  /** Headers for the response to `req` (a hijacked request): CORS results, then extracted ones. */
  forRequest(req: Request, signal?: AbortSignal): Promise<[string, string][]>
}

/** `name: value` pairs of `names` in `headers` (multi-valued headers give several pairs). */
function pick(headers: Headers, names: string[]): [string, string][] {
  const out: [string, string][] = []
  for (const name of names) {
    if (name.toLowerCase() === 'set-cookie') {
      for (const v of headers.getSetCookie()) out.push([name, v])
      continue
    }
    const v = headers.get(name)
    if (v !== null) out.push([name, v])
  }
  return out
}

function deadline(signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout])
}

export function createKuboHeaders(config: KuboHeadersConfig, components: KuboHeadersComponents = {}): KuboHeaders {
  const { logger } = components
  const now = components.now ?? Date.now
  const names = [...EXTRACT_HEADERS_DEFAULT, ...config.extract_headers_extra]
  let stored: [string, string][] | undefined
  let extractedAt = 0
  let failedAt: number | undefined
  let inFlight: Promise<void> | undefined

  const fresh = (): boolean => {
    if (failedAt !== undefined && now() - failedAt < RETRY_AFTER_FAILURE_MS) return true
    if (stored === undefined) return false
    return config.extract_headers_ttl === 0 || now() - extractedAt < config.extract_headers_ttl
  }

  const extract = async (): Promise<void> => {
    try {
      const res = await fetch(`${config.kuboUrl}${config.extract_headers_path}`, { method: 'POST', signal: deadline() })
      await res.body?.cancel()
      stored = pick(res.headers, names)
      extractedAt = now()
      failedAt = undefined
    } catch (err) {
      failedAt = now()
      logger?.warn({ err: (err as Error).message, path: config.extract_headers_path }, 'could not extract headers from the IPFS node')
    }
  }

  const extracted = async (): Promise<[string, string][]> => {
    if (!fresh()) {
      inFlight ??= extract().finally(() => {
        inFlight = undefined
      })
      await inFlight
    }
    return stored ?? []
  }

  const cors = async (req: Request, signal?: AbortSignal): Promise<[string, string][]> => {
    const origin = req.headers.get('origin')
    if (origin === null) return []
    try {
      const res = await fetch(`${config.kuboUrl}${new URL(req.url).pathname}`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': req.method },
        signal: deadline(signal),
      })
      await res.body?.cancel()
      return pick(res.headers, CORS_HEADERS)
    } catch (err) {
      logger?.warn({ err: (err as Error).message }, 'could not ask the IPFS node for CORS headers')
      return []
    }
  }

  return {
    async forRequest(req, signal) {
      const [a, b] = await Promise.all([cors(req, signal), extracted()])
      return [...a, ...b]
    },
  }
}
