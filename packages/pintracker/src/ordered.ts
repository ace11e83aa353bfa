/**
 * Maps an async iterable with bounded concurrency, yielding results in source order. At most
 * `concurrency` items are held at once, so memory stays flat however long the source is.
 */
export async function* mapOrdered<T, R>(source: AsyncIterable<T>, concurrency: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const window: Promise<R>[] = []
  for await (const item of source) {
    const p = fn(item)
    // Avoid unhandled rejections while the promise waits in the window; it is awaited below.
    p.catch(() => {})
    window.push(p)
    if (window.length >= concurrency) yield await (window.shift() as Promise<R>)
  }
  while (window.length > 0) yield await (window.shift() as Promise<R>)
}
