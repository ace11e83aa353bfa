/** Opening the input file of `state import`, with errors that name the file. */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { InvalidArgumentError } from '@pinmesh/interface'

function describe(file: string, err: unknown): InvalidArgumentError {
  const code = (err as NodeJS.ErrnoException).code
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message
  return new InvalidArgumentError(`cannot read ${file}: ${why}`)
}

/** Size of a regular file, or undefined for devices and pipes. */
export async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file)
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' })
    return info.isFile() ? info.size : undefined
  } catch (err) {
    throw describe(file, err)
  }
}

/** A byte stream of the file; fails before returning when it cannot be opened. */
export async function openInput(file: string): Promise<NodeJS.ReadableStream> {
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 })
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (err) => reject(describe(file, err)))
  })
  return stream
}
