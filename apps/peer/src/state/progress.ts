/**
 * A one-line progress bar for the state commands, drawn on stderr only when it is a terminal
 * (pipes and log files get nothing but the final summary the command prints).
 */

export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

export interface Progress {
  /** Sets the amount done (items, or bytes when `unit` is `bytes`). */
  update(done: number, items?: number): void
  /** Draws the final state and ends the line. */
  finish(): void
}

export interface ProgressOptions {
  label: string
  /** Known total, or undefined for a counter without a bar. */
  total?: number
  unit?: 'pins' | 'bytes'
  stream: ProgressStream
  /** Minimum milliseconds between redraws. */
  interval?: number
  now?: () => number
}

const WIDTH = 24

function human(n: number, unit: 'pins' | 'bytes'): string {
  if (unit === 'pins') return String(n)
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

/** Renders one progress line (exported for tests). */
export function renderProgress(label: string, done: number, total: number | undefined, unit: 'pins' | 'bytes', items?: number): string {
  const count = unit === 'bytes' && items !== undefined ? ` (${items} pins)` : ''
  if (total === undefined || total <= 0) return `${label} ${human(done, unit)}${unit === 'pins' ? ' pins' : ''}${count}`
  const ratio = Math.min(1, done / total)
  const filled = Math.round(ratio * WIDTH)
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`
  return `${label} [${bar}] ${Math.floor(ratio * 100)}% ${human(done, unit)}/${human(total, unit)}${unit === 'pins' ? ' pins' : ''}${count}`
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream, label, total } = options
  const unit = options.unit ?? 'pins'
  const interval = options.interval ?? 100
  const now = options.now ?? Date.now
  if (stream.isTTY !== true) return { update() {}, finish() {} }
  let last = -Infinity
  let done = 0
  let items: number | undefined
  const draw = () => {
    const line = renderProgress(label, done, total, unit, items)
    const cols = stream.columns || 80
    stream.write(`\r${line.slice(0, cols - 1)}\x1b[K`)
  }
  return {
    update(value, count) {
      done = value
      items = count
      const t = now()
      if (t - last >= interval) {
        last = t
        draw()
      }
    },
    finish() {
      draw()
      stream.write('\n')
    },
  }
}
