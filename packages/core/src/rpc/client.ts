/**
 * Calls other peers over `/pinmesh/rpc/1.0.0` (see `protocol.ts`). Every answer is validated
 * with the domain codecs before it is returned; a remote refusal becomes `RpcUnauthorizedError`,
 * anything else a named `RpcError` carrying the peer and the reason.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import type { AbortOptions, ID, IpfsRepoStat, PinInfo, RepoGC } from '@pinmesh/interface'
import { decodeId, decodePinInfo, InvalidArgumentError, ObjectReader, RPC_PROTOCOL } from '@pinmesh/interface'
import { assertValid, decodeFrame, encodeFrame, errorFromFrame, MAX_FRAME, RpcError, type RpcMethod } from './protocol.js'

/** Items a callee may have in flight on a streamed call; credit is returned in halves. */
const STREAM_CREDIT = 256

export interface RpcClientConfig {
  /** Deadline of a unary call (ms). */
  timeout: number
  /** Longest wait for the next item of a streamed call (ms; default 60 s): a large status listing may start slowly. */
  item_timeout?: number
}

export interface RpcClientComponents {
  libp2p: Pick<Libp2p, 'dialProtocol'>
}

function decodeRepoStat(value: unknown): IpfsRepoStat {
  const v = value as Partial<Record<keyof IpfsRepoStat, unknown>> | null
  const num = (x: unknown, key: string) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError('must be a number >= 0', `repo_stat.${key}`)
    return x
  }
  return { repoSize: num(v?.repoSize, 'repoSize'), storageMax: num(v?.storageMax, 'storageMax'), numObjects: num(v?.numObjects, 'numObjects') }
}

function decodeRepoGc(value: unknown): RepoGC {
  const r = new ObjectReader(value, 'repo_gc')
  const keys = Array.isArray(r.obj.keys) ? r.obj.keys : []
  const error = r.string('error', '')
  return {
    peer: r.string('peer'),
    peername: r.string('peername', ''),
    keys: keys.map((k, i) => {
      const kr = new ObjectReader(k, `repo_gc.keys[${i}]`)
      const e = kr.string('error', '')
      return { key: kr.nullableString('key'), ...(e !== '' ? { error: e } : {}) }
    }),
    ...(error !== '' ? { error } : {}),
  }
}

export class RpcClient {
  constructor(
    private readonly config: RpcClientConfig,
    private readonly c: RpcClientComponents,
  ) {}

  private async open(peer: string, method: RpcMethod, args: Record<string, unknown>, signal: AbortSignal, credit?: number) {
    let stream: Awaited<ReturnType<Libp2p['dialProtocol']>>
    try {
      stream = await this.c.libp2p.dialProtocol(peerIdFromString(peer), RPC_PROTOCOL, { signal })
    } catch (err) {
      throw new RpcError(`cannot reach peer ${peer}: ${(err as Error).message}`, { cause: err })
    }
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME, maxBufferSize: 2 * MAX_FRAME })
    await lp.write(encodeFrame({ method, args, ...(credit !== undefined ? { credit } : {}) }), { signal })
    return { stream, lp }
  }

  /** A unary call; returns the raw (unvalidated) result. */
  async call(peer: string, method: RpcMethod, args: Record<string, unknown> = {}, options?: AbortOptions): Promise<unknown> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.config.timeout), ...(options?.signal ? [options.signal] : [])])
    const { stream, lp } = await this.open(peer, method, args, signal)
    try {
      const frame = decodeFrame((await lp.read({ signal })).subarray())
      if (frame.error !== undefined) throw errorFromFrame(frame.error, peer)
      if (!('result' in frame)) throw new RpcError(`peer ${peer} answered without a result`)
      return frame.result
    } catch (err) {
      if (err instanceof Error && (err.name === 'RpcError' || err.name === 'RpcUnauthorizedError')) throw err
      throw new RpcError(`rpc ${method} to peer ${peer} failed: ${(err as Error).message}`, { cause: err })
    } finally {
      await stream.close().catch(() => stream.abort(new Error('closing')))
    }
  }

  /** A streamed call; yields raw items until the end frame. */
  async *stream(peer: string, method: RpcMethod, args: Record<string, unknown> = {}, options?: AbortOptions): AsyncGenerator<unknown> {
    const outer = options?.signal
    const { stream, lp } = await this.open(
      peer,
      method,
      args,
      AbortSignal.any([AbortSignal.timeout(this.config.timeout), ...(outer ? [outer] : [])]),
      STREAM_CREDIT,
    )
    let consumed = 0
    try {
      for (;;) {
        let frame: Record<string, unknown>
        try {
          const deadline = AbortSignal.timeout(this.config.item_timeout ?? 60_000)
          frame = decodeFrame((await lp.read({ signal: AbortSignal.any([deadline, ...(outer ? [outer] : [])]) })).subarray())
        } catch (err) {
          throw new RpcError(`rpc ${method} to peer ${peer} failed: ${(err as Error).message}`, { cause: err })
        }
        if (frame.error !== undefined) throw errorFromFrame(frame.error, peer)
        if (frame.end === true) return
        if (!('item' in frame)) throw new RpcError(`peer ${peer} sent a frame without item`)
        yield frame.item
        if (++consumed === STREAM_CREDIT / 2) {
          consumed = 0
          await lp.write(encodeFrame({ credit: STREAM_CREDIT / 2 }), outer ? { signal: outer } : {})
        }
      }
    } finally {
      await stream.close().catch(() => stream.abort(new Error('closing')))
    }
  }

  async id(peer: string, options?: AbortOptions): Promise<ID> {
    const v = await this.call(peer, 'id', {}, options)
    return assertValid(() => decodeId(v, 'id'), peer)
  }

  async status(peer: string, cid: string, options?: AbortOptions): Promise<PinInfo> {
    const v = await this.call(peer, 'status', { cid }, options)
    return assertValid(() => decodePinInfo(v, 'pin_info'), peer)
  }

  async *statusAll(peer: string, filter: number, options?: AbortOptions): AsyncGenerator<PinInfo> {
    for await (const v of this.stream(peer, 'statusAll', { filter }, options)) yield assertValid(() => decodePinInfo(v, 'pin_info'), peer)
  }

  async recover(peer: string, cid: string, options?: AbortOptions): Promise<PinInfo> {
    const v = await this.call(peer, 'recover', { cid }, options)
    return assertValid(() => decodePinInfo(v, 'pin_info'), peer)
  }

  async *recoverAll(peer: string, options?: AbortOptions): AsyncGenerator<PinInfo> {
    for await (const v of this.stream(peer, 'recoverAll', {}, options)) yield assertValid(() => decodePinInfo(v, 'pin_info'), peer)
  }

  async repoGc(peer: string, options?: AbortOptions): Promise<RepoGC> {
    const v = await this.call(peer, 'repoGc', {}, options)
    return assertValid(() => decodeRepoGc(v), peer)
  }

  async repoStat(peer: string, options?: AbortOptions): Promise<IpfsRepoStat> {
    const v = await this.call(peer, 'repoStat', {}, options)
    return assertValid(() => decodeRepoStat(v), peer)
  }
}

export function createRpcClient(config: RpcClientConfig, components: RpcClientComponents): RpcClient {
  return new RpcClient(config, components)
}
