/**
 * The partition fixture itself (test/helpers/ops-netlab.ts): three network namespaces on a bridge,
 * each running a real TCP probe server. Checks that a partition really cuts TCP between the
 * groups, keeps the host reaching every namespace, heals, and leaves nothing behind.
 *
 * Needs root, `ip` and `iptables`: without them the test says loudly it did not run, and fails
 * under CI=true.
 */
import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { createNetLab, type NetLab, netLabUnavailable } from '../helpers/ops-netlab.js'
import { waitFor } from '../helpers/wait.js'

// Each namespace: GET /probe?to=<ip> answers whether a TCP connection to <ip>:8080 opens within 1.5 s.
const PROBE_SERVER = `
const http = require('node:http'), net = require('node:net')
const [ip] = process.argv.slice(1)
http.createServer((req, res) => {
  const to = new URL(req.url, 'http://x').searchParams.get('to')
  const s = net.connect({ host: to, port: 8080 })
  const done = (r) => { s.destroy(); res.end(r) }
  s.setTimeout(1500, () => done('timeout'))
  s.once('connect', () => done('ok'))
  s.once('error', (e) => done(e.code))
}).listen(8080, ip)
`

describe('network namespace lab (partition fixture)', () => {
  let lab: NetLab | undefined

  afterAll(async () => {
    await lab?.destroy()
  })

  it('cuts TCP between groups, keeps the host connected, heals, and cleans up', async () => {
    const why = await netLabUnavailable()
    if (why !== undefined) {
      const msg = `!!! network namespace lab NOT tested: ${why} !!!`
      console.error(`\n${msg}\n`)
      if (process.env.CI === 'true') throw new Error(msg)
      return
    }
    lab = await createNetLab(3)
    const l = lab
    l.nodes.forEach((n, i) => {
      l.spawn(i, process.execPath, ['-e', PROBE_SERVER, n.ip], { stdio: 'ignore' })
    })
    const probe = async (from: number, to: number) => {
      const res = await fetch(`http://${l.nodes[from]?.ip}:8080/probe?to=${l.nodes[to]?.ip}`, { signal: AbortSignal.timeout(5000) })
      return res.text()
    }
    const matrix = async () => {
      const out: string[] = []
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b) out.push(`${a}->${b}:${await probe(a, b)}`)
      return out
    }
    await waitFor(async () => (await probe(0, 1)) === 'ok', { timeout: 20_000, message: 'probe servers up' })
    expect(await matrix()).toEqual(['0->1:ok', '0->2:ok', '1->0:ok', '1->2:ok', '2->0:ok', '2->1:ok'])

    await l.partition([[0], [1, 2]])
    // The host still reaches every namespace (it answers the probes), A is cut from B and C.
    expect(await matrix()).toEqual(['0->1:timeout', '0->2:timeout', '1->0:timeout', '1->2:ok', '2->0:timeout', '2->1:ok'])

    await l.heal()
    expect(await matrix()).toEqual(['0->1:ok', '0->2:ok', '1->0:ok', '1->2:ok', '2->0:ok', '2->1:ok'])

    const names = l.nodes.map((n) => n.ns)
    await l.destroy()
    lab = undefined
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    for (const ns of names) expect(left).not.toContain(ns)
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(l.devicePrefix)
  })
})
