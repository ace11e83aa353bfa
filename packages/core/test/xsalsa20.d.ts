/** The `xsalsa20` package (used by @libp2p/pnet), as the reference keystream in tests. */
declare module 'xsalsa20' {
  interface XSalsa20 {
    update(input: Uint8Array, output?: Uint8Array): Uint8Array
    finalize(): void
  }
  function xsalsa20(nonce: Uint8Array, key: Uint8Array): XSalsa20
  export default xsalsa20
}
