/**
 * `pinmesh init`, `CLUSTER_*` overrides, config errors and the folder lock, with the real CLI.
 */
import { spawn } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeId, parseJson } from '@pinmesh/interface'
import { afterAll, describe, expect, it } from 'vitest'
import { PEER_BIN, type PeerProcess, startPeer, tempDir } from '../helpers/peer.js'
import { freePort } from '../helpers/ports.js'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function run(args: string[], env: Record<string, string> = {}, timeout = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [PEER_BIN, ...args], {
      env: { ...process.env, PINMESH_LOG_FORMAT: 'json', CLUSTER_MDNSINTERVAL: '0s', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`pinmesh ${args.join(' ')} did not exit:\n${stderr}`))
    }, timeout)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('pinmesh init, env overrides, config errors, folder lock', () => {
  const dirs: string[] = []
  let peer: PeerProcess | undefined

  afterAll(async () => {
    await peer?.kill()
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  async function dir(): Promise<string> {
    const d = await tempDir()
    dirs.push(d)
    return d
  }

  it('init writes service.json with upstream sections, a fresh secret, identity.json and peerstore', async () => {
    const d = await dir()
    const res = await run(['init', '--config', d], { CLUSTER_PEERNAME: 'node-a', CLUSTER_MONITORPINGINTERVAL: '3s' })
    expect(res.code).toBe(0)
    expect(res.stderr).toContain(`configuration written to ${join(d, 'service.json')}`)
    expect(res.stderr).toContain('new identity written to')
    const service = JSON.parse(await readFile(join(d, 'service.json'), 'utf8'))
    expect(Object.keys(service)).toEqual(expect.arrayContaining(['cluster', 'consensus', 'api', 'pin_tracker', 'monitor', 'informer', 'allocator']))
    expect(service.cluster.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(service.cluster.peername).toBe('node-a')
    expect(service.cluster.monitor_ping_interval).toBe('3s')
    expect(service.cluster.listen_multiaddress).toEqual(['/ip4/0.0.0.0/tcp/9096'])
    expect(service.consensus.crdt.trusted_peers).toEqual(['*'])
    expect(service.api.restapi.http_listen_multiaddress).toBe('/ip4/127.0.0.1/tcp/9094')
    const identity = JSON.parse(await readFile(join(d, 'identity.json'), 'utf8'))
    expect(identity.id).toMatch(/^12D3KooW/)
    expect(typeof identity.private_key).toBe('string')
    expect(await readFile(join(d, 'peerstore'), 'utf8')).toBe('')

    // A second init refuses to overwrite; --force writes a new secret and keeps the identity.
    const again = await run(['init', '--config', d])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already exists; use `pinmesh init --force`/)
    const forced = await run(['init', '--force', '--config', d])
    expect(forced.code).toBe(0)
    const service2 = JSON.parse(await readFile(join(d, 'service.json'), 'utf8'))
    expect(service2.cluster.secret).not.toBe(service.cluster.secret)
    expect(JSON.parse(await readFile(join(d, 'identity.json'), 'utf8')).id).toBe(identity.id)

    const other = await dir()
    const addr = `/ip4/10.0.0.1/tcp/9096/p2p/${identity.id}`
    const withPeers = await run(['init', '--config', other, '--peers', addr])
    expect(withPeers.code).toBe(0)
    expect(withPeers.stderr).toContain('with 1 entries')
    expect(await readFile(join(other, 'peerstore'), 'utf8')).toBe(`${addr}\n`)
    expect(JSON.parse(await readFile(join(other, 'service.json'), 'utf8')).consensus.crdt.trusted_peers).toEqual([identity.id])
  })

  it('env overrides win over the file; a missing service.json is initialised by the daemon', async () => {
    const d = await dir()
    peer = await startPeer({ dir: d, env: { CLUSTER_PEERNAME: 'from-env' } })
    const id = decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text()))
    expect(id.peername).toBe('from-env')
    // The file was written by the implicit init; the peer runs on the env's addresses.
    const service = JSON.parse(await readFile(join(d, 'service.json'), 'utf8'))
    expect(service.cluster.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(id.addresses?.[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
  })

  it('a second daemon on the same folder is refused with a clear message', async () => {
    const running = peer as PeerProcess
    const port = await freePort()
    const res = await run(['daemon', '--config', running.dir], {
      CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${port}`,
      CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
    })
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/another pinmesh daemon \(pid \d+\) is already using/)
    expect((await fetch(`${running.api}/health`)).status).toBe(204)
    // After a clean stop the lock is released and the folder can be used again.
    expect(await running.stop()).toBe(0)
    await running.restart()
    expect((await fetch(`${running.api}/health`)).status).toBe(204)
  })

  it('invalid configuration fails at start naming the key and what was expected', async () => {
    const d = await dir()
    expect((await run(['init', '--config', d])).code).toBe(0)
    const base = { CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${await freePort()}`, CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0' }

    const badEnv = await run(['daemon', '--config', d], { ...base, CLUSTER_MONITORPINGINTERVAL: 'soon' })
    expect(badEnv.code).toBe(1)
    expect(badEnv.stderr).toContain('invalid configuration: cluster.monitor_ping_interval must be a Go duration')

    const badSecret = await run(['daemon', '--config', d], { ...base, CLUSTER_SECRET: 'abc' })
    expect(badSecret.code).toBe(1)
    expect(badSecret.stderr).toContain('invalid configuration: cluster.secret must be 64 hexadecimal characters')

    const badNumber = await run(['daemon', '--config', d], { ...base, CLUSTER_CONNECTIONMANAGER_HIGHWATER: 'many' })
    expect(badNumber.code).toBe(1)
    expect(badNumber.stderr).toContain('cluster.connection_manager.high_water (from CLUSTER_CONNECTIONMANAGER_HIGHWATER) must be a number')

    const file = join(d, 'service.json')
    const service = JSON.parse(await readFile(file, 'utf8'))
    service.cluster.listen_multiaddress = ['/ip4/0.0.0.0/tcp/notaport']
    service.cluster.replication_factor_min = 3
    await writeFile(file, JSON.stringify(service))
    const badFile = await run(['daemon', '--config', d], { CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: base.CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS })
    expect(badFile.code).toBe(1)
    expect(badFile.stderr).toContain('invalid configuration: cluster.listen_multiaddress[0] must be a multiaddress')

    const badBootstrap = await run(['daemon', '--config', d, '--bootstrap', '/ip4/127.0.0.1/tcp/9096'], base)
    expect(badBootstrap.code).toBe(1)
    expect(badBootstrap.stderr).toContain('invalid configuration: --bootstrap[0] must be a multiaddress ending in /p2p/<peer id>')

    await writeFile(file, '{"cluster": ')
    const notJson = await run(['daemon', '--config', d], base)
    expect(notJson.code).toBe(1)
    expect(notJson.stderr).toContain(`invalid configuration: ${file} must be valid JSON`)
  })
})
