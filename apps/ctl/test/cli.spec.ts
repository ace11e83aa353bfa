/** `run()` exit codes against small local servers (no peer needed for these paths). */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../src/cli.js'
import { ProgressBar } from '../src/progress.js'

function io() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), isTTY: false }, out, err }
}

describe('pinmesh-ctl exit codes', () => {
  let server: Server
  let host: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/version') return // never answers
      res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"code":500,"message":"boom"}')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    host = `/ip4/127.0.0.1/tcp/${(server.address() as { port: number }).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    return new Promise<void>((r) => server.close(() => r()))
  })

  it('exits 62 when --timeout expires', async () => {
    const t = io()
    expect(await run(['--host', host, '--timeout', '1', 'version'], {}, t.io)).toBe(62)
    expect(t.err.join('')).toMatch(/^error version: /)
  })

  it('exits 2 with upstream text for API errors, in both encodings', async () => {
    for (const enc of ['text', 'json']) {
      const t = io()
      expect(await run(['--host', host, '--enc', enc, 'id'], {}, t.io)).toBe(2)
      expect(t.err.join('')).toBe('An error occurred:\n  Code: 500\n  Message: boom\n')
    }
  })

  it('shows group help for "pin" and refuses unknown subcommands', async () => {
    const t = io()
    expect(await run(['pin', 'frobnicate'], {}, t.io)).toBe(1)
    expect(t.out.join('')).toContain('pin add <cid|path>')
    expect(t.err.join('')).toContain('unknown command "pin frobnicate"')
  })
})

describe('progress bar', () => {
  it('draws percentage and sizes, and finishes at 100%', () => {
    const chunks: string[] = []
    const bar = new ProgressBar((s) => chunks.push(s), 4 * 1048576)
    bar.update(1048576, true)
    expect(chunks[0]).toMatch(/^\radding \[#{8}\.{22}\] {2}25% 1\.0\/4\.0 MiB$/)
    bar.finish()
    expect(chunks.at(-2)).toMatch(/100% 4\.0\/4\.0 MiB$/)
    expect(chunks.at(-1)).toBe('\n')
  })
})
