/** A one-line progress bar on a terminal (stderr), redrawn at most ten times a second. */
export class ProgressBar {
  private last = 0
  constructor(
    private readonly write: (s: string) => void,
    private readonly total: number,
    private readonly label = 'adding',
  ) {}

  update(done: number, force = false): void {
    const now = Date.now()
    if (!force && now - this.last < 100) return
    this.last = now
    const width = 30
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1
    const filled = Math.round(frac * width)
    this.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mib(done)}/${mib(this.total)} MiB`,
    )
  }

  finish(): void {
    this.update(this.total, true)
    this.write('\n')
  }
}

function mib(n: number): string {
  return (n / 1048576).toFixed(1)
}
