/** The client's stream handling against a tiny node:http server that sends trailers. */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientError, PinmeshClient } from '../src/index.js'

const PIN = { cid: 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', name: 'a' }

describe('PinmeshClient streams', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/allocations?filter=empty')) {
        res.writeHead(204).end()
        return
      }
      if (req.url?.startsWith('/allocations')) {
        res.writeHead(200, { 'Content-Type': 'application/json', Trailer: 'X-Stream-Error' })
        res.write(`${JSON.stringify(PIN)}\n`)
        res.write(`${JSON.stringify({ ...PIN, name: 'b' })}\n`)
        res.addTrailers({ 'X-Stream-Error': req.url.includes('fail') ? 'state exploded' : '' })
        res.end()
        return
      }
      if (req.url === '/id') {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 500, message: 'ipfs down' }))
        return
      }
      res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('yields items and ends cleanly on an empty trailer; 204 yields nothing', async () => {
    const client = new PinmeshClient({ hosts: [base] })
    const names: string[] = []
    for await (const p of client.allocations('pin')) names.push(p.name)
    expect(names).toEqual(['a', 'b'])
    const none = []
    for await (const p of client.allocations('empty')) none.push(p)
    expect(none).toEqual([])
  })

  it('throws the trailer error after the items that arrived', async () => {
    const client = new PinmeshClient({ hosts: [base] })
    const names: string[] = []
    const err = await (async () => {
      for await (const p of client.allocations('fail')) names.push(p.name)
    })().catch((e: unknown) => e)
    expect(names).toEqual(['a', 'b'])
    expect(err).toBeInstanceOf(ClientError)
    expect(err).toMatchObject({ code: 500, message: 'state exploded' })
  })

  it('turns error bodies into ClientError(code, message) and honours AbortSignal', async () => {
    const client = new PinmeshClient({ hosts: [base] })
    await expect(client.id()).rejects.toMatchObject({ code: 500, message: 'ipfs down' })
    const ac = new AbortController()
    ac.abort()
    await expect(client.id({ signal: ac.signal })).rejects.toMatchObject({ code: 0 })
  })

  it('rejects malformed addresses', () => {
    expect(() => new PinmeshClient({ hosts: ['localhost:9094'] })).toThrow(/invalid API address/)
  })
})
