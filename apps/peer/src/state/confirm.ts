/**
 * The `[y/n]` confirmation of destructive state commands (upstream's prompts). The answer is read
 * from stdin; with no answer there (stdin closed, `/dev/null`, or used for the pins themselves)
 * the command refuses and says to pass `--force`.
 */
import { PinmeshError } from '@pinmesh/interface'

/** The operator did not confirm a destructive command. */
export class NotConfirmedError extends PinmeshError {}

export interface ConfirmOptions {
  input: NodeJS.ReadableStream & { isTTY?: boolean }
  output: { write(text: string): unknown }
  /** The pins are read from stdin: it cannot also carry the answer. */
  inputIsData?: boolean
}

async function readLine(input: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString()
      const nl = text.indexOf('\n')
      if (nl !== -1) finish(text.slice(0, nl))
    }
    const onEnd = () => finish(text === '' ? undefined : text)
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    const cleanup = () => {
      input.off('data', onData)
      input.off('end', onEnd)
      input.off('error', onError)
      input.pause()
    }
    const finish = (line: string | undefined) => {
      cleanup()
      resolve(line)
    }
    input.on('data', onData)
    input.once('end', onEnd)
    input.once('error', onError)
    input.resume()
  })
}

/** Asks `question [y/n]: `; resolves when the answer is yes, throws `NotConfirmedError` otherwise. */
export async function confirm(question: string, options: ConfirmOptions): Promise<void> {
  if (options.inputIsData) {
    throw new NotConfirmedError('the pins are read from stdin, so there is no way to confirm: pass --force to replace the state')
  }
  options.output.write(`${question} [y/n]: `)
  const answer = await readLine(options.input)
  // A piped answer is not echoed: end the prompt line ourselves.
  if (options.input.isTTY !== true) options.output.write('\n')
  if (answer === undefined) {
    throw new NotConfirmedError('no answer on stdin (it is closed or empty): pass --force to run without confirmation')
  }
  if (!/^\s*y(es)?\s*$/i.test(answer)) throw new NotConfirmedError('aborted: not confirmed')
}
