/**
 * Splits a text stream into top-level JSON values, the way upstream's `state import` reads its
 * input (Go's `json.Decoder`): any whitespace between values, so both one compact object per line
 * (our export, upstream's export) and pretty-printed multi-line objects work.
 *
 * The scanner only finds value boundaries (braces and brackets outside strings); parsing and
 * validation happen in the caller, which reports errors with the value's starting line. Memory
 * stays flat: one value is buffered at a time, and a value longer than `maxValueBytes` (an
 * unterminated object swallowing the rest of the file) is an error rather than a heap spike.
 */
import { InvalidArgumentError } from '@pinmesh/interface'

export interface JsonValueText {
  /** The value's source text. */
  text: string
  /** 1-based line where the value starts. */
  line: number
}

export interface JsonValuesOptions {
  /** Largest accepted value, in UTF-16 code units (default 1 MiB). */
  maxValueBytes?: number
}

const DEFAULT_MAX_VALUE = 1 << 20

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/** An input error located at a line of the input. */
export class InputLineError extends InvalidArgumentError {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`)
  }
}

/** Yields each top-level JSON value of a stream of text chunks (decode bytes with `setEncoding('utf8')` first). */
export async function* jsonValues(chunks: AsyncIterable<string | Buffer>, options: JsonValuesOptions = {}): AsyncGenerator<JsonValueText> {
  const maxValue = options.maxValueBytes ?? DEFAULT_MAX_VALUE
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let line = 1
  // State of the value being scanned.
  let buf = ''
  let startLine = 0
  let depth = 0
  let inString = false
  let escaped = false
  let scalar = false

  for await (const chunk of chunks) {
    let text: string
    try {
      text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    } catch {
      throw new InputLineError(line, 'input is not valid UTF-8')
    }
    const found: JsonValueText[] = []
    let from = 0 // start of the part of `text` that belongs to the current value
    const emit = (end: number) => {
      found.push({ text: buf + text.slice(from, end), line: startLine })
      buf = ''
      startLine = 0
      depth = 0
      scalar = false
      inString = false
      escaped = false
      from = end
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (startLine === 0) {
        // Between values: skip whitespace, start a value on anything else.
        if (c === 0x0a) line++
        if (isSpace(c)) continue
        startLine = line
        from = i
        if (c === 0x7b || c === 0x5b) depth = 1
        else {
          scalar = true
          inString = c === 0x22
        }
        continue
      }
      if (inString) {
        if (c === 0x0a) line++
        if (escaped) escaped = false
        else if (c === 0x5c) escaped = true
        else if (c === 0x22) {
          inString = false
          if (scalar) emit(i + 1)
        }
        continue
      }
      if (scalar) {
        // A bare number or literal ends at whitespace or a structural character, which is then
        // scanned again as the start of what follows.
        if (isSpace(c) || c === 0x7b || c === 0x5b || c === 0x7d || c === 0x5d || c === 0x2c) {
          emit(i)
          i--
        }
        continue
      }
      if (c === 0x0a) line++
      else if (c === 0x22) inString = true
      else if (c === 0x7b || c === 0x5b) depth++
      else if (c === 0x7d || c === 0x5d) {
        depth--
        if (depth === 0) emit(i + 1)
      }
    }
    if (startLine !== 0) {
      buf += text.slice(from)
      if (buf.length > maxValue) throw new InputLineError(startLine, `JSON value longer than ${maxValue} characters (unterminated object?)`)
    }
    yield* found
  }
  try {
    decoder.decode()
  } catch {
    throw new InputLineError(line, 'input is not valid UTF-8')
  }
  if (startLine !== 0) {
    if (scalar && !inString) {
      yield { text: buf, line: startLine }
      return
    }
    throw new InputLineError(startLine, 'unexpected end of input inside a JSON value (unterminated object, array or string)')
  }
}
