/**
 * Serves `/pinmesh/rpc/1.0.0` (see `protocol.ts`): reads one request frame per stream, checks it
 * and the caller's rights, runs the local handler and writes the answer. Nothing a remote peer
 * sends can throw out of the handler.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { AbortOptions, ID, IpfsRepoStat, PinInfo, RepoGC } from '@pinmesh/interface'
import { RPC_PROTOCOL } from '@pinmesh/interface'
import type { Logger } from 'pino'
import { mayCall, type TrustPolicy } from './policy.js'
import { decodeFrame, encodeFrame, MAX_FRAME, parseCredit, parseRequest, type RpcRequest, RpcUnauthorizedError, STREAMED } from './protocol.js'

/** The local answers to remote calls. */
export interface RpcHandlers {
  id(options?: AbortOptions): Promise<ID>
  version(): string
  status(cid: string, options?: AbortOptions): Promise<PinInfo>
  statusAll(filter: number, options?: AbortOptions): AsyncIterable<PinInfo>
  recover(cid: string, options?: AbortOptions): Promise<PinInfo>
  recoverAll(options?: AbortOptions): AsyncIterable<PinInfo>
  repoGc(options?: AbortOptions): Promise<RepoGC>
  /** Usage of this peer's IPFS repository (the proxy's cluster-wide `repo/stat`). */
  repoStat?(options?: AbortOptions): Promise<IpfsRepoStat>
}

export interface RpcServerConfig {
  /** Deadline for the request frame to arrive (ms). */
  request_timeout: number
  /** Deadline of a unary call (ms). Streamed calls run as long as the caller keeps reading. */
  call_timeout: number
}

export interface RpcServerComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle'>
  handlers: RpcHandlers
  policy: TrustPolicy
  logger: Logger
}

export class RpcServer {
  private readonly log: Logger
  private controller: AbortController | undefined

  constructor(
    private readonly config: RpcServerConfig,
    private readonly c: RpcServerComponents,
  ) {
    this.log = c.logger.child({ component: 'rpc' })
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    await this.c.libp2p.handle(RPC_PROTOCOL, (stream, connection) => this.serve(stream, connection), { maxInboundStreams: 256 })
  }

  async stop(): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    await this.c.libp2p.unhandle(RPC_PROTOCOL)
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME, maxBufferSize: 2 * MAX_FRAME })
    const running = this.controller?.signal ?? AbortSignal.abort()
    let signal = AbortSignal.any([running, AbortSignal.timeout(this.config.request_timeout)])
    let request: RpcRequest
    try {
      const frame = await lp.read({ signal })
      request = parseRequest(decodeFrame(frame.subarray()))
    } catch (err) {
      this.log.warn({ peer, err: (err as Error).message }, 'rejected malformed rpc request')
      await this.finish(stream, lp, { error: { name: 'RpcInvalidRequestError', message: `invalid request: ${(err as Error).message}` } }, signal)
      return
    }
    if (!mayCall(this.c.policy, peer, request.method)) {
      this.log.info({ peer, method: request.method }, 'refused rpc call from untrusted peer')
      const err = new RpcUnauthorizedError(`peer ${peer} is not trusted to call ${request.method}`)
      await this.finish(stream, lp, { error: { name: err.name, message: err.message } }, signal)
      return
    }
    signal = STREAMED.has(request.method) ? running : AbortSignal.any([running, AbortSignal.timeout(this.config.call_timeout)])
    try {
      if (STREAMED.has(request.method)) {
        const items = request.method === 'statusAll' ? this.c.handlers.statusAll(request.args.filter, { signal }) : this.c.handlers.recoverAll({ signal })
        let credit = request.credit
        for await (const item of items) {
          while (credit <= 0) credit += parseCredit(decodeFrame((await lp.read({ signal })).subarray()).credit)
          await lp.write(encodeFrame({ item }), { signal })
          credit--
        }
        await this.finish(stream, lp, { end: true }, signal)
      } else {
        await this.finish(stream, lp, { result: await this.unary(request, signal) }, signal)
      }
    } catch (err) {
      const e = err as Error
      await this.finish(stream, lp, { error: { name: e.name ?? 'Error', message: e.message ?? String(err) } }, signal)
    }
  }

  private async unary(request: RpcRequest, signal: AbortSignal): Promise<unknown> {
    const h = this.c.handlers
    switch (request.method) {
      case 'id':
        return h.id({ signal })
      case 'version':
        return { version: h.version() }
      case 'status':
        return h.status(request.args.cid, { signal })
      case 'recover':
        return h.recover(request.args.cid, { signal })
      case 'repoGc':
        return h.repoGc({ signal })
      case 'repoStat':
        if (h.repoStat === undefined) throw new Error('repoStat is not served by this peer')
        return h.repoStat({ signal })
      default:
        throw new Error(`unexpected method ${request.method}`)
    }
  }

  private async finish(stream: Stream, lp: ReturnType<typeof lpStream>, frame: unknown, signal: AbortSignal): Promise<void> {
    try {
      await lp.write(encodeFrame(frame), { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
    }
  }
}

export function createRpcServer(config: RpcServerConfig, components: RpcServerComponents): RpcServer {
  return new RpcServer(config, components)
}
