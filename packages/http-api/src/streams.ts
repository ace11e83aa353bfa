/** Small async-iterable helpers for the API's streamed routes. */

/**
 * Runs `fn` over `inputs` with at most `concurrency` in flight and yields results in completion
 * order. Failures do not stop the others; they are thrown together after every success was
 * yielded (so a stream reports them in its trailer).
 */
export async function* parallelCompletion<I, O>(inputs: I[], concurrency: number, fn: (input: I) => Promise<O>): AsyncIterable<O> {
  const errors: string[] = []
  const pending = new Map<number, Promise<{ id: number; ok: boolean; value?: O; error?: unknown }>>()
  let next = 0
  const launch = () => {
    const id = next++
    const input = inputs[id] as I
    pending.set(
      id,
      fn(input).then(
        (value) => ({ id, ok: true, value }),
        (error: unknown) => ({ id, ok: false, error }),
      ),
    )
  }
  while (next < inputs.length && pending.size < concurrency) launch()
  while (pending.size > 0) {
    const done = await Promise.race(pending.values())
    pending.delete(done.id)
    if (next < inputs.length) launch()
    if (done.ok) yield done.value as O
    else errors.push(done.error instanceof Error ? done.error.message : String(done.error))
  }
  if (errors.length > 0) throw new Error(errors.join('; '))
}

/**
 * Runs `fn` over a stream of inputs with at most `concurrency` in flight and yields results in
 * input order (a result waits for the ones before it).
 */
export async function* orderedParallel<I, O>(inputs: AsyncIterable<I>, concurrency: number, fn: (input: I) => Promise<O>): AsyncIterable<O> {
  const window: Promise<O>[] = []
  for await (const input of inputs) {
    window.push(fn(input))
    if (window.length >= concurrency) yield await (window.shift() as Promise<O>)
  }
  while (window.length > 0) yield await (window.shift() as Promise<O>)
}

/** Splits a byte stream into text lines, enforcing a total and a per-line byte limit. */
export async function* lines(
  body: AsyncIterable<Uint8Array>,
  limits: { total: number; line: number },
  tooLarge: (message: string) => Error,
): AsyncIterable<string> {
  const decoder = new TextDecoder()
  let total = 0
  let rest = ''
  for await (const chunk of body) {
    total += chunk.byteLength
    if (total > limits.total) throw tooLarge(`request body too large: more than ${limits.total} bytes`)
    rest += decoder.decode(chunk, { stream: true })
    let i = rest.indexOf('\n')
    while (i >= 0) {
      yield rest.slice(0, i)
      rest = rest.slice(i + 1)
      i = rest.indexOf('\n')
    }
    if (rest.length > limits.line) throw tooLarge(`request body line too long: more than ${limits.line} bytes`)
  }
  rest += decoder.decode()
  if (rest !== '') yield rest
}
