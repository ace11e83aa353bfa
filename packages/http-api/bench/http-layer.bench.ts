/**
 * The HTTP layer alone: the REST app served by `serveApi` over an in-memory cluster (the unit
 * tests' FakeCluster), so the figures show what routing, option parsing, codecs and NDJSON
 * streaming cost without a pinset behind them. Compare with rest.bench.ts (a real peer).
 */
import { Agent, request } from 'node:http'
import { defaultPinOptions, newPin } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { parseRestApiConfig } from '../src/config.js'
import { createRestApi } from '../src/rest.js'
import { serveApi } from '../src/serve.js'
import { FakeCluster } from '../test/fake-cluster.js'

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

function http(method: string, url: string): Promise<{ status: number; lines: number }> {
  return new Promise((resolve, reject) => {
    request(url, { method, agent }, (res) => {
      let lines = 0
      res.on('data', (d: Buffer) => {
        for (const b of d) if (b === 10) lines++
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, lines }))
    })
      .on('error', reject)
      .end()
  })
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_HTTP_SINGLE ?? 5000)
  const listN = Number(process.env.BENCH_HTTP_LIST ?? 200_000)
  const cluster = new FakeCluster()
  const config = parseRestApiConfig({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/0' })
  const served = await serveApi(createRestApi({ cluster, config }), config, { path: 'api.restapi' })
  const api = served.urls[0] as string
  const cids = await Promise.all(
    Array.from({ length: n }, async (_, i) => CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`h${i}`))).toString()),
  )
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        const res = await http('POST', `${api}/pins/${cids[next++]}?replication-min=1&replication-max=2&name=x&meta-k=v`)
        if (res.status !== 200) throw new Error(`status ${res.status}`)
      }
    }),
  )
  console.log(`HTTP layer only: POST /pins/{cid}, 32 clients: ${(n / ((performance.now() - t0) / 1000)).toFixed(0)} req/s (${n} pins, in-memory cluster)`)
  const base = newPin(cids[0] as string, defaultPinOptions())
  cluster.pins.clear()
  for (let i = 0; i < listN; i++) cluster.pins.set(`k${i}`, base)
  const t1 = performance.now()
  const res = await http('GET', `${api}/allocations`)
  console.log(`HTTP layer only: GET /allocations: ${(res.lines / ((performance.now() - t1) / 1000)).toFixed(0)} pins/s (${res.lines} pins, in-memory cluster)`)
  await served.close()
  agent.destroy()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
