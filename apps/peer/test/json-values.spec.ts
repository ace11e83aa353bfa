import { describe, expect, it } from 'vitest'
import { InputLineError, jsonValues } from '../src/state/json-values.js'

async function collect(chunks: Array<string | Buffer>, maxValueBytes?: number) {
  const out: Array<{ text: string; line: number }> = []
  async function* source() {
    yield* chunks
  }
  for await (const v of jsonValues(source(), { maxValueBytes })) out.push(v)
  return out
}

/** Every way of cutting `text` in two chunks must give the same values. */
async function allSplits(text: string) {
  const whole = await collect([text])
  for (let i = 1; i < text.length; i++) {
    expect(await collect([text.slice(0, i), text.slice(i)])).toEqual(whole)
  }
  return whole
}

describe('jsonValues', () => {
  it('splits one compact object per line and numbers lines', async () => {
    const values = await allSplits('{"a":1}\n{"b":2}\n\n{"c":3}\n')
    expect(values).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":2}', line: 2 },
      { text: '{"c":3}', line: 4 },
    ])
  })

  it('reads pretty-printed multi-line values and values sharing a line', async () => {
    const values = await allSplits('{\n  "a": [1,\n 2]\n}\r\n  {"b":{}} {"c":"x"}\n[\n]')
    expect(values.map((v) => [JSON.parse(v.text), v.line])).toEqual([
      [{ a: [1, 2] }, 1],
      [{ b: {} }, 5],
      [{ c: 'x' }, 5],
      [[], 6],
    ])
  })

  it('ignores braces, brackets and escaped quotes inside strings, and newlines inside them count', async () => {
    const text = '{"n":"}{][\\"\\\\","m":"a\\nb"}\n{"k":"\\u007b"}'
    const values = await allSplits(text)
    expect(values.map((v) => JSON.parse(v.text))).toEqual([{ n: '}{]["\\', m: 'a\nb' }, { k: '{' }])
    expect(values[1]?.line).toBe(2)
  })

  it('yields bare scalars as values so the caller can reject them with their line', async () => {
    expect(await allSplits('{"a":1}\n42\n"s"\ntrue}')).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '42', line: 2 },
      { text: '"s"', line: 3 },
      { text: 'true', line: 4 },
      { text: '}', line: 4 },
    ])
  })

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('{"name":"ünïcødé ✓"}\n')
    for (let i = 1; i < bytes.length; i++) {
      const values = await collect([bytes.subarray(0, i), bytes.subarray(i)])
      expect(JSON.parse(values[0]?.text ?? '')).toEqual({ name: 'ünïcødé ✓' })
    }
  })

  it('fails on invalid UTF-8 with the line', async () => {
    await expect(collect([Buffer.from('{"a":1}\n{"b":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])).rejects.toThrow(/line 2: input is not valid UTF-8/)
  })

  it('names the starting line of an unterminated value', async () => {
    const err = await collect(['{"a":1}\n{"b":\n"c"\n']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputLineError)
    expect((err as InputLineError).line).toBe(2)
    expect((err as Error).message).toMatch(/^line 2: unexpected end of input/)
  })

  it('refuses a value longer than the limit instead of buffering the rest of the input', async () => {
    const chunks = ['{"a":1}\n{"b":"', ...Array.from({ length: 10 }, () => 'x'.repeat(100))]
    await expect(collect(chunks, 500)).rejects.toThrow(/line 2: JSON value longer than 500 characters/)
  })

  it('yields nothing for empty or whitespace-only input', async () => {
    expect(await collect([])).toEqual([])
    expect(await collect([' \n\t\r\n'])).toEqual([])
  })
})
