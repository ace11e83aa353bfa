/**
 * Group commit: writes are staged and committed together. A batch is cut when it reaches
 * `max_batch_size`; when no commit is running, at the next turn of the event loop (so a
 * lone write is not delayed); while a commit is running, when that commit ends or when the
 * batch's oldest write is `max_batch_age` old, whichever comes first. A commit runs one Yjs
 * transaction per touched shard, appends each shard's update to LevelDB, and only then
 * resolves the writers' promises. Commits run one after another, in order.
 */
import { QueueFullError } from '@pinmesh/interface'
import type { BatchingConfig } from './config.js'
import { metrics } from './metrics.js'

export interface StagedWrite {
  cid: string
  shard: number
  /** Encoded pin, or `null` for a removal. */
  value: string | null
  resolve(): void
  reject(err: unknown): void
}

export class Batcher {
  private staged: StagedWrite[] = []
  private inFlight = 0
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly config: BatchingConfig,
    private readonly commit: (writes: StagedWrite[]) => Promise<void>,
  ) {}

  /** Writes staged or committing. */
  get pending(): number {
    return this.staged.length + this.inFlight
  }

  stage(write: Omit<StagedWrite, 'resolve' | 'reject'>): Promise<void> {
    if (this.pending >= this.config.max_queue_size) {
      return Promise.reject(
        new QueueFullError(`pinset write queue is full (${this.config.max_queue_size} writes waiting, consensus.crdt.batching.max_queue_size); retry later`),
      )
    }
    return new Promise<void>((resolve, reject) => {
      this.staged.push({ ...write, resolve, reject })
      if (this.staged.length >= this.config.max_batch_size) this.cut()
      else if (this.inFlight === 0) this.immediate ??= setImmediate(() => this.cut())
      else this.timer ??= setTimeout(() => this.cut(), this.config.max_batch_age)
    })
  }

  /** Cuts the open batch and queues its commit. */
  private cut(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    clearImmediate(this.immediate)
    this.immediate = undefined
    while (this.staged.length > 0) {
      const batch = this.staged.splice(0, this.config.max_batch_size)
      this.inFlight += batch.length
      this.chain = this.chain.then(async () => {
        const started = performance.now()
        try {
          await this.commit(batch)
          metrics.commits.inc()
          metrics.batchSize.observe(batch.length)
          metrics.commitSeconds.observe((performance.now() - started) / 1000)
          for (const w of batch) w.resolve()
        } catch (err) {
          for (const w of batch) w.reject(err)
        } finally {
          this.inFlight -= batch.length
          // The writes that queued up during this commit form the next batch right away.
          if (this.inFlight === 0 && this.staged.length > 0) this.cut()
        }
      })
    }
  }

  /** Commits everything staged and waits for all commits. */
  async flush(): Promise<void> {
    this.cut()
    await this.chain
  }
}
