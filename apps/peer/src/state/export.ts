/**
 * `pinmesh state export [-f file]`: writes every pin of the state as one compact JSON object per
 * line — exactly the `Pin` JSON upstream's export writes (reference §11) — to stdout or a file.
 * Streams from `Pinset.list()` with bounded buffering, so memory does not grow with the pinset.
 * A file is written under a temporary name and renamed when complete: a failed export never
 * leaves a truncated file that looks like a good one.
 */
import { once } from 'node:events'
import { open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { encodePin, stringifyJson } from '@pinmesh/interface'
import { createProgress, type ProgressStream } from './progress.js'
import type { StateSession } from './session.js'
import { openState } from './store.js'

export interface ExportOptions {
  /** Output file; stdout when absent or `-`. */
  file?: string
  stdout: NodeJS.WritableStream
  stderr: ProgressStream
  signal?: AbortSignal
}

interface Sink {
  write(text: string): Promise<void>
  /** Completes the output (renames a file into place). */
  commit(): Promise<void>
  /** Drops a partial output. */
  abort(): Promise<void>
}

const CHUNK = 64 * 1024

function streamSink(out: NodeJS.WritableStream): Sink {
  return {
    async write(text) {
      if (!out.write(text)) await once(out, 'drain')
    },
    async commit() {
      await new Promise<void>((resolve, reject) => out.write('', (err) => (err ? reject(err) : resolve())))
    },
    async abort() {},
  }
}

async function fileSink(file: string): Promise<Sink> {
  // Devices and FIFOs (e.g. /dev/stdout) are written directly.
  const info = await stat(file).catch(() => undefined)
  const direct = info !== undefined && !info.isFile()
  const target = direct ? file : join(dirname(file), `.${basename(file)}.partial-${process.pid}`)
  const fh = await open(target, 'w')
  return {
    async write(text) {
      await fh.write(text)
    },
    async commit() {
      if (!direct) await fh.sync()
      await fh.close()
      if (!direct) await rename(target, file)
    },
    async abort() {
      await fh.close().catch(() => {})
      if (!direct) await rm(target, { force: true })
    },
  }
}

/** Exports the state of the session's peer; returns the number of pins written. */
export async function exportState(session: StateSession, options: ExportOptions): Promise<number> {
  const pinset = await openState(session.configDir, session.pinset, session.logger)
  let sink: Sink | undefined
  try {
    const total = await pinset.size()
    sink = options.file === undefined || options.file === '-' ? streamSink(options.stdout) : await fileSink(options.file)
    const progress = createProgress({ label: 'exporting', total, stream: options.stderr })
    let buffered = ''
    let count = 0
    for await (const pin of pinset.list({ signal: options.signal })) {
      buffered += `${stringifyJson(encodePin(pin))}\n`
      count++
      if (buffered.length >= CHUNK) {
        await sink.write(buffered)
        buffered = ''
        progress.update(count)
      }
    }
    if (buffered !== '') await sink.write(buffered)
    await sink.commit()
    progress.update(count)
    progress.finish()
    return count
  } catch (err) {
    await sink?.abort()
    throw err
  } finally {
    await pinset.close()
  }
}
