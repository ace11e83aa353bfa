/**
 * The inter-peer RPC protocol, `/pinmesh/rpc/1.0.0` (`RPC_PROTOCOL`): what one cluster peer
 * asks of another.
 *
 * One call per libp2p stream. Every frame is a varint length prefix and a UTF-8 JSON object
 * (at most `MAX_FRAME` bytes):
 *
 *   caller → callee   {"method": "status", "args": {"cid": "Qm…"}}
 *   callee → caller   {"result": <value>}                      unary call answered
 *                     {"item": <value>} … {"end": true}         streamed call (statusAll, recoverAll)
 *                     {"error": {"name": "…", "message": "…"}}  refused or failed (ends the call)
 *
 * Streamed calls are flow-controlled by credit: the request carries `"credit": n` (items the
 * callee may send; default 64) and the caller sends `{"credit": n}` frames as it consumes
 * items. The callee waits when its credit is spent. (libp2p 3 streams buffer every write
 * without limit and a reader's buffer overflows at 4 MiB, so a fast callee and a slow caller
 * would otherwise reset the stream.)
 *
 * The callee validates the request (a malformed frame gets an `RpcInvalidRequestError` frame
 * and the stream is closed — it never crashes the peer) and checks the caller against the
 * policy in `policy.ts`; the caller validates every result with the domain codecs.
 */
import { InvalidArgumentError, PinmeshError, parseCid } from '@pinmesh/interface'

export const MAX_FRAME = 4 * 1024 * 1024

export const RPC_METHODS = ['id', 'version', 'status', 'statusAll', 'recover', 'recoverAll', 'repoGc', 'repoStat'] as const
export type RpcMethod = (typeof RPC_METHODS)[number]

export type RpcRequest = (
  | { method: 'id' | 'version' | 'recoverAll' | 'repoGc' | 'repoStat'; args: Record<string, never> }
  | { method: 'status' | 'recover'; args: { cid: string } }
  | { method: 'statusAll'; args: { filter: number } }
) & { credit: number }

/** Items a callee may send before the first credit frame when the request names none. */
export const DEFAULT_CREDIT = 64
export const MAX_CREDIT = 10_000

/** Reads a credit amount (a request's `credit` or a credit frame's); throws when invalid. */
export function parseCredit(value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CREDIT) {
    throw new RpcInvalidRequestError(`credit must be an integer between 1 and ${MAX_CREDIT}, got ${JSON.stringify(value)}`)
  }
  return value
}

export const STREAMED: ReadonlySet<RpcMethod> = new Set(['statusAll', 'recoverAll'])

/** The request frame was not a valid call. */
export class RpcInvalidRequestError extends PinmeshError {
  override readonly status = 400
}

/** The caller may not make this call (policy). Aggregating callers skip such peers silently. */
export class RpcUnauthorizedError extends PinmeshError {
  override readonly status = 403
}

/** The remote peer failed or answered something invalid. */
export class RpcError extends PinmeshError {}

export function encodeFrame(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
}

export function decodeFrame(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw new RpcInvalidRequestError(`frame is not UTF-8 JSON: ${(err as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RpcInvalidRequestError('frame must be a JSON object')
  return value as Record<string, unknown>
}

/** Validates a request frame; throws `RpcInvalidRequestError` saying what is wrong. */
export function parseRequest(frame: Record<string, unknown>): RpcRequest {
  const method = frame.method
  if (typeof method !== 'string' || !(RPC_METHODS as readonly string[]).includes(method)) {
    throw new RpcInvalidRequestError(`method must be one of ${RPC_METHODS.join(', ')}, got ${JSON.stringify(method)}`)
  }
  const args = frame.args ?? {}
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new RpcInvalidRequestError('args must be a JSON object')
  const a = args as Record<string, unknown>
  const credit = parseCredit(frame.credit, DEFAULT_CREDIT)
  switch (method as RpcMethod) {
    case 'status':
    case 'recover': {
      if (typeof a.cid !== 'string') throw new RpcInvalidRequestError('args.cid must be a CID string')
      try {
        parseCid(a.cid)
      } catch (err) {
        throw new RpcInvalidRequestError(`args.cid: ${(err as Error).message}`)
      }
      return { method: method as 'status' | 'recover', args: { cid: a.cid }, credit }
    }
    case 'statusAll': {
      const filter = a.filter ?? 0
      if (typeof filter !== 'number' || !Number.isInteger(filter) || filter < 0) throw new RpcInvalidRequestError('args.filter must be an integer >= 0')
      return { method: 'statusAll', args: { filter }, credit }
    }
    default:
      return { method: method as 'id' | 'version' | 'recoverAll' | 'repoGc', args: {}, credit }
  }
}

/** Turns an error frame into a named error for the caller. */
export function errorFromFrame(value: unknown, peer: string): Error {
  const e = (typeof value === 'object' && value !== null ? value : {}) as { name?: unknown; message?: unknown }
  const message = typeof e.message === 'string' ? e.message : 'unknown error'
  if (e.name === 'RpcUnauthorizedError') return new RpcUnauthorizedError(message)
  if (e.name === 'PinNotFoundError') return Object.assign(new RpcError(message), { remoteName: 'PinNotFoundError' })
  return new RpcError(`peer ${peer}: ${message}`)
}

export function assertValid<T>(decode: () => T, peer: string): T {
  try {
    return decode()
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new RpcError(`peer ${peer} answered an invalid value: ${err.message}`)
    throw err
  }
}
