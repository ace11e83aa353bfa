/**
 * Group commit: writes are staged and committed together when the batch reaches
 * `max_batch_size` or its oldest write is `max_batch_age` old. A commit runs one Yjs
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
      else this.timer ??= setTimeout(() => this.cut(), this.config.max_batch_age)
    })
  }

  /** Cuts the open batch and queues its commit. */
  private cut(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
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
