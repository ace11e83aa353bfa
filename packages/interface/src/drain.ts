/**
 * Backpressure for hand-written stream writers: after `write()` returned false, wait until the
 * stream drained or closed (a closed stream never drains; the writer notices on its next write).
 */
export function drainOrClose(stream: Pick<NodeJS.EventEmitter, 'once' | 'off'>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.once('drain', done)
    stream.once('close', done)
  })
}
