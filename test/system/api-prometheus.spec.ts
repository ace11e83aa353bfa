/**
 * A real Prometheus server (Debian's `prometheus` binary) scrapes a real peer's /metrics and we
 * read cluster metrics back through Prometheus' HTTP query API. Without a `prometheus` binary
 * the test says loudly that it did not run; under CI (CI=true) that is a failure.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type PeerProcess, startPeer, tempDir } from '../helpers/peer.js'
import { freePort } from '../helpers/ports.js'
import { waitFor } from '../helpers/wait.js'
import { wire } from './api-wire.js'

function prometheusBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

interface QueryResult {
  status: string
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }
}

const CIDS = [
  'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
  'QmZ4tDuvesekSs4qM5ZBKpXiZGun7S2CYtEZRB3DYXkjGx',
]

describe('Prometheus scrapes a peer', () => {
  let peer: PeerProcess | undefined
  let prom: ChildProcess | undefined
  let promLogs = ''
  afterAll(async () => {
    if (prom !== undefined && prom.exitCode === null) {
      const exited = new Promise((r) => prom?.once('exit', r))
      prom.kill('SIGTERM')
      await exited
    }
    await peer?.stop()
  })

  it('reads ipfscluster_pins, HTTP latency histograms and process metrics back through the query API', async () => {
    const bin = prometheusBinary()
    if (bin === undefined) {
      const banner =
        '\n' +
        '!'.repeat(78) +
        '\n!! THE PROMETHEUS SCRAPE TEST DID NOT RUN: no `prometheus` binary on PATH.\n!! Install it (apt-get install prometheus) — CI installs it in .ci/run.\n' +
        '!'.repeat(78) +
        '\n'
      process.stderr.write(banner)
      expect(process.env.CI, 'CI=true requires the prometheus binary (.ci/run installs it)').not.toBe('true')
      return
    }
    const metricsPort = await freePort()
    peer = await startPeer({
      env: { CLUSTER_METRICS_ENABLESTATS: 'true', CLUSTER_METRICS_PROMETHEUSENDPOINT: `/ip4/127.0.0.1/tcp/${metricsPort}` },
    })
    for (const cid of CIDS) expect((await wire('POST', `${peer.api}/pins/${cid}`)).status).toBe(200)
    // The peer's own exposition first: text format with the series we will query.
    const text = (await wire('GET', `http://127.0.0.1:${metricsPort}/metrics`)).body
    expect(text).toMatch(/^ipfscluster_pins 3$/m)
    expect(text).toContain('pinmesh_http_request_duration_seconds_bucket{')
    expect(text).toContain('process_resident_memory_bytes')

    const dir = await tempDir('pinmesh-prom-')
    const promPort = await freePort()
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: pinmesh\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`,
    )
    prom = spawn(
      bin,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    prom.stderr?.on('data', (d: Buffer) => {
      promLogs += d.toString()
    })
    const query = async (q: string): Promise<QueryResult['data']['result']> => {
      const res = await wire('GET', `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`)
      if (res.status !== 200) return []
      return (JSON.parse(res.body) as QueryResult).data.result
    }
    const pins = await waitFor(
      async () => {
        const r = await query('ipfscluster_pins{job="pinmesh"}')
        return r.length > 0 ? r : undefined
      },
      { timeout: 60_000, interval: 500, message: `prometheus to scrape ipfscluster_pins (prometheus logs: ${promLogs.slice(-800)})` },
    )
    expect(pins[0]?.value[1]).toBe('3')
    expect(pins[0]?.metric.instance).toBe(`127.0.0.1:${metricsPort}`)
    const latency = await query('pinmesh_http_request_duration_seconds_count{route="/pins/:hash",method="POST",status="200"}')
    expect(Number(latency[0]?.value[1])).toBeGreaterThanOrEqual(3)
    const rss = await query('process_resident_memory_bytes{job="pinmesh"}')
    expect(Number(rss[0]?.value[1])).toBeGreaterThan(0)
    const up = await query('up{job="pinmesh"}')
    expect(up[0]?.value[1]).toBe('1')
  })
})
