/**
 * The `peerstore` file (upstream's format, reference §5.1): one multiaddress per line, each
 * ending in `/p2p/<peer id>`. Written on shutdown and when the peerset grows, read at start so
 * a restarted peer reconnects by itself.
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'

/** Reads the file; a missing file is empty, bad lines are logged and skipped. */
export async function readPeerstoreFile(file: string, logger: Logger): Promise<string[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const out: string[] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    try {
      const ma = multiaddr(line)
      if (ma.getComponents().findLast((c) => c.name === 'p2p')?.value === undefined) throw new Error('no /p2p/<peer id> at the end')
      out.push(line)
    } catch (err) {
      logger.warn({ file, line: i + 1, err: (err as Error).message }, 'ignoring invalid peerstore line')
    }
  }
  return out
}

/** Writes the file atomically (temp file + rename). */
export async function writePeerstoreFile(file: string, addresses: string[]): Promise<void> {
  const tmp = `${file}.tmp`
  await writeFile(tmp, addresses.length > 0 ? `${addresses.join('\n')}\n` : '')
  await rename(tmp, file)
}
