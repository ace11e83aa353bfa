/**
 * The private network: libp2p connection protection from the 32-byte cluster secret, on the
 * wire exactly as @libp2p/pnet and go-libp2p's pnet (each side sends a random 24-byte nonce, then
 * every byte is XORed with XSalsa20(secret, sender's nonce)).
 *
 * Two differences from @libp2p/pnet 3.0.27:
 * - the cipher is pure JavaScript (see `xsalsa20-stream.ts`), so sustained traffic does not grow
 *   WebAssembly memory until the process dies;
 * - the first decrypted bytes from the remote must be the multistream-select header every libp2p
 *   peer sends first. If they are not, the remote holds another secret (or none), and the
 *   connection is refused with a log line saying so, instead of an obscure handshake failure.
 */
import type { AbortOptions, ConnectionProtector, MessageStream, MultiaddrConnection } from '@libp2p/interface'
import { AbstractMultiaddrConnection, byteStream } from '@libp2p/utils'
import type { Logger } from 'pino'
import type { Uint8ArrayList } from 'uint8arraylist'
import { XSalsa20Stream } from './xsalsa20-stream.js'

const NONCE_LENGTH = 24
/** varint(19) + "/multistream/1.0.0\n": the first message of every libp2p connection upgrade. */
const MULTISTREAM_HEADER = new Uint8Array([0x13, ...new TextEncoder().encode('/multistream/1.0.0\n')])
const WARN_EVERY_MS = 60_000

/** The remote peer does not hold this cluster's secret. */
export class PrivateNetworkMismatchError extends Error {
  override readonly name = 'PrivateNetworkMismatchError'
}

export interface PrivateNetworkInit {
  /** The 32-byte cluster secret. */
  secret: Uint8Array
  logger: Logger
  /** Nonce exchange deadline in ms (default 5000). */
  timeout?: number
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

/** Builds the `connectionProtector` option of `createLibp2p`. */
export function privateNetwork(init: PrivateNetworkInit): () => ConnectionProtector {
  if (init.secret.length !== 32) throw new RangeError('the cluster secret must be 32 bytes')
  const lastWarning = new Map<string, number>()
  const warn = (remote: string, message: string) => {
    const host = remote.split('/').slice(0, 3).join('/')
    const now = Date.now()
    if ((lastWarning.get(host) ?? 0) + WARN_EVERY_MS > now) return
    lastWarning.set(host, now)
    if (lastWarning.size > 1000) lastWarning.clear()
    init.logger.warn({ remote }, message)
  }
  return () => ({
    async protect(connection: MessageStream, options?: AbortOptions): Promise<MessageStream> {
      const maConn = connection as MultiaddrConnection
      const remote = maConn.remoteAddr?.toString() ?? 'unknown address'
      const localNonce = crypto.getRandomValues(new Uint8Array(NONCE_LENGTH))
      const opts = options?.signal !== undefined ? options : { signal: AbortSignal.timeout(init.timeout ?? 5000) }
      const bytes = byteStream(connection)
      const [received] = await Promise.all([bytes.read({ bytes: NONCE_LENGTH, ...opts }), bytes.write(localNonce, opts)])
      const remoteNonce = received.subarray()
      const plaintextPeer = startsWith(remoteNonce, MULTISTREAM_HEADER, 8)
      return new PrivateStream({
        maConn: bytes.unwrap() as MultiaddrConnection,
        secret: init.secret,
        localNonce,
        remoteNonce,
        onMismatch: () => {
          const message = plaintextPeer
            ? `refused connection with ${remote}: that peer is not on a private network (it runs without a cluster secret); give it this cluster's secret (cluster.secret or CLUSTER_SECRET)`
            : `refused connection with ${remote}: that peer uses a different cluster secret (private network key mismatch); both peers need the same cluster.secret (or CLUSTER_SECRET)`
          warn(remote, message)
          return new PrivateNetworkMismatchError(message)
        },
        onRefused: () => {
          warn(
            remote,
            `connection with ${remote} was closed by the remote peer during the private network handshake: it probably uses a different cluster secret; both peers need the same cluster.secret (or CLUSTER_SECRET)`,
          )
        },
      })
    },
  })
}

interface PrivateStreamInit {
  maConn: MultiaddrConnection
  secret: Uint8Array
  localNonce: Uint8Array
  remoteNonce: Uint8Array
  onMismatch(): Error
  /** The remote closed the connection before it proved it holds the secret. */
  onRefused(): void
}

class PrivateStream extends AbstractMultiaddrConnection {
  private readonly maConn: MultiaddrConnection
  private readonly inbound: XSalsa20Stream
  private readonly outbound: XSalsa20Stream
  /** Decrypted bytes held back until the multistream header has been verified. */
  private held: Uint8Array[] | undefined = []
  private heldLength = 0

  constructor(init: PrivateStreamInit) {
    super({ remoteAddr: init.maConn.remoteAddr, direction: init.maConn.direction, log: init.maConn.log.newScope('pnet') })
    this.maConn = init.maConn
    this.inbound = new XSalsa20Stream(init.secret, init.remoteNonce)
    this.outbound = new XSalsa20Stream(init.secret, init.localNonce)
    this.maConn.addEventListener('message', (evt) => {
      const data = evt.data as Uint8Array | Uint8ArrayList
      try {
        if (data instanceof Uint8Array) this.receive(this.inbound.update(data), init)
        else for (const buf of data) this.receive(this.inbound.update(buf), init)
      } catch (err) {
        this.abort(err as Error)
        this.maConn.abort(err as Error)
      }
    })
    this.maConn.addEventListener('drain', () => this.onMuxerDrain())
    this.maConn.addEventListener('close', (evt) => {
      if (this.held !== undefined && (!evt.local || /ECONNRESET|EPIPE/.test(String(evt.error?.message)))) init.onRefused()
      if (evt.error != null) {
        if (evt.local) this.abort(evt.error)
        else this.onRemoteReset()
      } else {
        this.onTransportClosed()
      }
    })
  }

  private receive(plain: Uint8Array, init: PrivateStreamInit): void {
    if (this.held === undefined) {
      this.onData(plain)
      return
    }
    const checkLength = Math.min(MULTISTREAM_HEADER.length - this.heldLength, plain.length)
    for (let i = 0; i < checkLength; i++) {
      if (plain[i] !== MULTISTREAM_HEADER[this.heldLength + i]) throw init.onMismatch()
    }
    this.held.push(plain)
    this.heldLength += plain.length
    if (this.heldLength >= MULTISTREAM_HEADER.length) {
      const held = this.held
      this.held = undefined
      for (const chunk of held) this.onData(chunk)
    }
  }

  async sendClose(options?: AbortOptions): Promise<void> {
    await this.maConn.close(options)
  }

  sendData(data: Uint8ArrayList): { sentBytes: number; canSendMore: boolean } {
    return { sentBytes: data.byteLength, canSendMore: this.maConn.send(this.outbound.update(data.subarray())) }
  }

  sendReset(err: Error): void {
    this.maConn.abort(err)
  }

  sendPause(): void {
    this.maConn.pause()
  }

  sendResume(): void {
    this.maConn.resume()
  }
}
