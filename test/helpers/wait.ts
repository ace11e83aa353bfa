/** Polls `fn` until it returns a truthy value; fails with `message` after `timeout` ms. */
export async function waitFor<T>(fn: () => Promise<T> | T, opts: { timeout?: number; interval?: number; message: string }): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeout ?? 30_000)
  let lastError: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v as NonNullable<T>
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.message}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`)
    }
    await new Promise((r) => setTimeout(r, opts.interval ?? 100))
  }
}
