/**
 * A streaming XSalsa20 keystream XOR in pure JavaScript (@noble/ciphers), keeping its position
 * across calls: the same bytes as the `xsalsa20` npm package that @libp2p/pnet uses, without its
 * WebAssembly memory that grows with every update once two ciphers share it (the
 * `WebAssembly.Memory.grow()` crash of @libp2p/pnet 3.0.27, js-libp2p PR #3585).
 */
import { xsalsa20 } from '@noble/ciphers/salsa.js'

const BLOCK = 64
/** noble's block counter is 32-bit: 2^32 blocks of 64 bytes (256 GiB) per direction. */
const MAX_BLOCKS = 0xffff_ffff

/** The keystream of one connection direction ran out (after 256 GiB); reconnect. */
export class KeystreamExhaustedError extends Error {
  override readonly name = 'KeystreamExhaustedError'
}

export class XSalsa20Stream {
  private block = 0
  private readonly keystream = new Uint8Array(BLOCK)
  private used = BLOCK

  constructor(
    private readonly key: Uint8Array,
    private readonly nonce: Uint8Array,
  ) {
    if (key.length !== 32) throw new RangeError('xsalsa20 key must be 32 bytes')
    if (nonce.length !== 24) throw new RangeError('xsalsa20 nonce must be 24 bytes')
  }

  /** XORs `data` with the next bytes of the keystream; returns a new array. */
  update(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(data.length)
    let i = 0
    while (this.used < BLOCK && i < data.length) {
      out[i] = (data[i] as number) ^ (this.keystream[this.used++] as number)
      i++
    }
    const whole = Math.floor((data.length - i) / BLOCK) * BLOCK
    if (whole > 0) {
      this.reserve(whole / BLOCK)
      out.set(xsalsa20(this.key, this.nonce, data.subarray(i, i + whole), undefined, this.block), i)
      this.block += whole / BLOCK
      i += whole
    }
    if (i < data.length) {
      this.reserve(1)
      this.keystream.set(xsalsa20(this.key, this.nonce, new Uint8Array(BLOCK), undefined, this.block))
      this.block++
      this.used = 0
      while (i < data.length) {
        out[i] = (data[i] as number) ^ (this.keystream[this.used++] as number)
        i++
      }
    }
    return out
  }

  private reserve(blocks: number): void {
    if (this.block + blocks > MAX_BLOCKS)
      throw new KeystreamExhaustedError('private network keystream exhausted after 256 GiB; the connection must be re-established')
  }
}
