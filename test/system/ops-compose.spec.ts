/**
 * docker-compose.yml and Dockerfile, checked without a Docker engine: `docker-compose config`
 * (Debian's docker-compose, installed by .ci/run; or the Compose v2 plugin) validates and resolves
 * the file, and the resolved services are checked against what the README promises: three Kubo
 * daemons, three pinmesh peers configured only through CLUSTER_* variables, mDNS discovery (no
 * bootstrap command), only cluster0's REST API published, on localhost.
 *
 * When no compose binary is installed this test says so loudly; under CI=true it fails.
 */
import { execFile } from 'node:child_process'
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/peer.js'

const run = promisify(execFile)
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml')

interface Compose {
  argv: string[]
  /** Resolved configuration as JSON. */
  resolved(): Promise<ResolvedConfig>
}

interface ResolvedService {
  image?: string
  build?: { context: string } | string
  command?: unknown
  network_mode?: string
  environment?: Record<string, string | null>
  ports?: Array<string | { host_ip?: string; published?: string | number; target?: number }>
  volumes?: unknown[]
}

interface ResolvedConfig {
  services: Record<string, ResolvedService>
}

async function findCompose(): Promise<Compose | undefined> {
  const env = { ...process.env, CLUSTER_SECRET: '' }
  try {
    await run('docker-compose', ['version'], { env })
    return {
      argv: ['docker-compose'],
      async resolved() {
        // Compose v1 prints YAML; PyYAML comes with Debian's docker-compose package.
        const { stdout } = await run('docker-compose', ['-f', COMPOSE_FILE, 'config'], { env })
        const py = 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'
        const child = execFile('python3', ['-c', py], { env })
        child.stdin?.end(stdout)
        let out = ''
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString()
        })
        await new Promise((resolve, reject) =>
          child.once('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`python3 yaml → json failed (${code})`)))),
        )
        return JSON.parse(out) as ResolvedConfig
      },
    }
  } catch {}
  try {
    await run('docker', ['compose', 'version'], { env })
    return {
      argv: ['docker', 'compose'],
      async resolved() {
        const { stdout } = await run('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--format', 'json'], { env })
        return JSON.parse(stdout) as ResolvedConfig
      },
    }
  } catch {}
  return undefined
}

function published(port: NonNullable<ResolvedService['ports']>[number]): string {
  if (typeof port === 'string') return port.replace(/\/tcp$/, '')
  return `${port.host_ip ?? ''}:${port.published}:${port.target}`
}

describe('docker-compose.yml (validated by docker-compose config)', () => {
  it('is a valid compose file describing 3 Kubo daemons and 3 pinmesh peers configured by CLUSTER_* only', async () => {
    const compose = await findCompose()
    if (compose === undefined) {
      const msg = '!!! docker-compose is NOT installed: docker-compose.yml was NOT validated (apt-get install docker-compose) !!!'
      console.error(`\n${msg}\n`)
      if (process.env.CI === 'true') throw new Error(msg)
      return
    }
    const [bin, ...pre] = compose.argv as [string, ...string[]]
    const check = await run(bin, [...pre, '-f', COMPOSE_FILE, 'config', '-q'], { env: { ...process.env, CLUSTER_SECRET: '' } })
    expect(check.stderr).toBe('')

    const { services } = await compose.resolved()
    expect(Object.keys(services).sort()).toEqual(['cluster0', 'cluster1', 'cluster2', 'ipfs0', 'ipfs1', 'ipfs2'])
    for (const i of [0, 1, 2]) {
      const ipfs = services[`ipfs${i}`] as ResolvedService
      expect(ipfs.image).toMatch(/^ipfs\/kubo:/)

      const peer = services[`cluster${i}`] as ResolvedService
      const context = typeof peer.build === 'string' ? peer.build : peer.build?.context
      expect(context).toBe(ROOT)
      // Configured only through upstream's CLUSTER_* names.
      const env = peer.environment ?? {}
      expect(Object.keys(env).filter((k) => !k.startsWith('CLUSTER_'))).toEqual([])
      expect(env).toMatchObject({
        CLUSTER_PEERNAME: `cluster${i}`,
        CLUSTER_IPFSHTTP_NODEMULTIADDRESS: `/dns4/ipfs${i}/tcp/5001`,
        CLUSTER_CRDT_TRUSTEDPEERS: '*',
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/0.0.0.0/tcp/9094',
        CLUSTER_MONITORPINGINTERVAL: '2s',
      })
      expect(env).toHaveProperty('CLUSTER_SECRET')
      // Peers find each other by mDNS on the compose network: no bootstrap, no host networking.
      expect(peer.command).toBeUndefined()
      expect(peer.network_mode).toBeUndefined()
      expect(peer.volumes?.length).toBe(1)
    }
    // Only the first peer's REST API is published, and only on localhost.
    expect((services.cluster0?.ports ?? []).map(published)).toEqual(['127.0.0.1:9094:9094'])
    for (const name of ['cluster1', 'cluster2', 'ipfs0', 'ipfs1', 'ipfs2']) expect(services[name]?.ports ?? []).toEqual([])
  })

  it('the Dockerfile builds from files that exist and runs the peer CLI the build produces', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8')
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/))
    expect(copies.length).toBeGreaterThan(0)
    for (const src of copies) await access(join(ROOT, src))
    const entry = /^ENTRYPOINT \["node", "\/app\/(.+)"\]$/m.exec(dockerfile)?.[1]
    expect(entry).toBe('apps/peer/dist/bin.js')
    const pkg = JSON.parse(await readFile(join(ROOT, 'apps/peer/package.json'), 'utf8')) as { bin: Record<string, string> }
    expect(join('apps/peer', pkg.bin.pinmesh as string)).toBe(entry)
    // The image's own settings are CLUSTER_* or PINMESH_* variables only.
    const envNames = [...dockerfile.matchAll(/^\s*(?:ENV )?([A-Z_]+)=/gm)].map((m) => m[1] as string)
    expect(envNames.filter((n) => !/^(CLUSTER_|PINMESH_|NODE_ENV$)/.test(n))).toEqual([])
    expect(await readFile(join(ROOT, '.dockerignore'), 'utf8')).toMatch(/node_modules/)
  })
})
