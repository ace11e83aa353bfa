/**
 * Group commit: writes are staged and committed together. A batch is cut when it reaches
 * `max_batch_size`; when no commit is running, at the next turn of the event loop (so a
 * lone write is not delayed); while a commit is running, when that commit ends or when the
 * batch's oldest write is `max_batch_age` old, whichever comes first. A cut batch is applied
 * to the in-memory shards at once (one Yjs transaction per touched shard); its updates are
 * appended to LevelDB after those of earlier batches, and only then are its writers' promises
 * resolved. So one batch is written while the next is applied, and acknowledgements keep
 * the order of the batches.
 */
import { QueueFullError } from '@pinmesh/interface'
import type { BatchingConfig } from './config.js'
import { metrics } from './metrics.js'

/** The writes of one batch, in parallel arrays, and the one promise all their writers await. */
export interface Batch {
  cids: string[]
  shards: number[]
  /** Encoded pin, or `null` for a removal. */
  values: Array<string | null>
  done: Promise<void>
  resolve(): void
  reject(err: unknown): void
}

function newBatch(): Batch {
  let resolve: () => void = () => {}
  let reject: (err: unknown) => void = () => {}
  const done = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Writers who don't await their write must not turn a failed commit into an unhandled rejection.
  done.catch(() => {})
  return { cids: [], shards: [], values: [], done, resolve, reject }
}

export class Batcher<T = unknown> {
  private staged: Batch | undefined
  private inFlight = 0
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  private chain: Promise<void> = Promise.resolve()

  /**
   * `apply` runs synchronously when a batch is cut (in cut order); `persist` runs for one batch
   * at a time, in the same order, and the batch's writers are acknowledged when it resolves. So
   * the next batch is applied in memory while the previous one is still being written.
   */
  constructor(
    private readonly config: BatchingConfig,
    private readonly apply: (batch: Batch) => T,
    private readonly persist: (applied: T) => Promise<void>,
  ) {}

  /** Writes staged or committing. */
  get pending(): number {
    return (this.staged?.cids.length ?? 0) + this.inFlight
  }

  /** Stages a write; the promise resolves when its batch is durable (shared by the batch's writers). */
  stage(cid: string, shard: number, value: string | null): Promise<void> {
    if (this.pending >= this.config.max_queue_size) {
      return Promise.reject(
        new QueueFullError(`pinset write queue is full (${this.config.max_queue_size} writes waiting, consensus.crdt.batching.max_queue_size); retry later`),
      )
    }
    this.staged ??= newBatch()
    const batch = this.staged
    batch.cids.push(cid)
    batch.shards.push(shard)
    batch.values.push(value)
    if (batch.cids.length >= this.config.max_batch_size) this.cut()
    else if (this.inFlight === 0) this.immediate ??= setImmediate(() => this.cut())
    else this.timer ??= setTimeout(() => this.cut(), this.config.max_batch_age)
    return batch.done
  }

  /** Cuts the open batch and queues its commit. */
  private cut(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    clearImmediate(this.immediate)
    this.immediate = undefined
    const batch = this.staged
    if (batch === undefined) return
    this.staged = undefined
    const size = batch.cids.length
    const started = performance.now()
    let applied: T
    try {
      applied = this.apply(batch)
    } catch (err) {
      batch.reject(err)
      return
    }
    this.inFlight += size
    this.chain = this.chain.then(async () => {
      try {
        await this.persist(applied)
        metrics.commits.inc()
        metrics.batchSize.observe(size)
        metrics.commitSeconds.observe((performance.now() - started) / 1000)
        batch.resolve()
      } catch (err) {
        batch.reject(err)
      } finally {
        this.inFlight -= size
        // The writes that queued up during this commit form the next batch right away.
        if (this.inFlight === 0 && this.staged !== undefined) this.cut()
      }
    })
  }

  /** Commits everything staged and waits for all commits. */
  async flush(): Promise<void> {
    this.cut()
    await this.chain
  }
}
