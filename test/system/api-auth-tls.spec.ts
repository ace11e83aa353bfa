/**
 * Auth and TLS on a real peer: HTTPS with a self-signed certificate from the peer's folder,
 * Basic credentials and JWTs from POST /token, GET /health open, OPTIONS preflights bypassing
 * auth; and the typed client (https, token, fail-over from a dead address) against it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'
import { ClientError, PinmeshClient } from '@pinmesh/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PEER_BIN, tempDir } from '../helpers/peer.js'
import { freePort } from '../helpers/ports.js'
import { waitFor } from '../helpers/wait.js'
import { errorOf, wire } from './api-wire.js'

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`

describe('REST API over HTTPS with auth (real peer)', () => {
  let proc: ChildProcess
  let api: string
  let logs = ''

  beforeAll(async () => {
    const dir = await tempDir()
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      {
        stdio: 'ignore',
      },
    )
    const port = await freePort()
    api = `https://127.0.0.1:${port}`
    // The shared startPeer fixture polls plain HTTP; this peer only speaks HTTPS.
    proc = spawn(process.execPath, [PEER_BIN, 'daemon', '--config', dir], {
      env: {
        ...process.env,
        PINMESH_LOG_FORMAT: 'json',
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${port}`,
        CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
        CLUSTER_MDNSINTERVAL: '0s',
        CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${await freePort()}`,
        CLUSTER_EMBEDDED_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
        CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: 'admin:s3cret,ops:pw2',
        CLUSTER_RESTAPI_SSLCERTFILE: 'cert.pem',
        CLUSTER_RESTAPI_SSLKEYFILE: 'key.pem',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    proc.stderr?.on('data', (d: Buffer) => {
      logs += d.toString()
    })
    await waitFor(async () => proc.exitCode === null && (await wire('GET', `${api}/health`, { insecure: true })).status === 204, {
      timeout: 60_000,
      message: `HTTPS peer at ${api} (logs: ${logs.slice(-500)})`,
    })
  })
  afterAll(async () => {
    if (proc !== undefined && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await exited
    }
  })

  it('serves HTTPS only', async () => {
    const res = await wire('GET', `${api}/health`, { insecure: true })
    expect(res.status).toBe(204)
    await expect(wire('GET', `${api}/health`)).rejects.toThrow(/self-signed|certificate/i)
  })

  it('refuses missing or wrong credentials with upstream messages', async () => {
    const none = await wire('GET', `${api}/id`, { insecure: true })
    expect(none.status).toBe(401)
    expect(errorOf(none)).toEqual({ code: 401, message: 'unauthorized: no auth provided' })
    const wrong = await wire('GET', `${api}/id`, { insecure: true, headers: { Authorization: basic('admin', 'nope') } })
    expect(wrong.status).toBe(401)
    expect(errorOf(wrong).message).toBe('unauthorized: access denied')
    const junk = await wire('GET', `${api}/pins`, { insecure: true, headers: { Authorization: 'Bearer a.b.c' } })
    expect(errorOf(junk).message).toBe('unauthorized: invalid token')
    const pre = await wire('OPTIONS', `${api}/pins`, { insecure: true, headers: { Origin: 'http://ui', 'Access-Control-Request-Method': 'GET' } })
    expect(pre.status).toBe(204)
  })

  it('issues tokens that work, signed per user', async () => {
    const res = await wire('POST', `${api}/token`, { insecure: true, headers: { Authorization: basic('ops', 'pw2') } })
    expect(res.status).toBe(200)
    const { token } = JSON.parse(res.body) as { token: string }
    expect((await wire('GET', `${api}/id`, { insecure: true, headers: { Authorization: `Bearer ${token}` } })).status).toBe(200)
    // The token refreshes itself.
    const again = await wire('POST', `${api}/token`, { insecure: true, headers: { Authorization: `Bearer ${token}` } })
    expect(again.status).toBe(200)
  })

  it('the client speaks https with basic auth and tokens, and fails over from a dead address', async () => {
    const dead = `/ip4/127.0.0.1/tcp/${await freePort()}`
    const port = new URL(api).port
    const client = new PinmeshClient({ hosts: [dead, `/ip4/127.0.0.1/tcp/${port}`], https: true, insecure: true, username: 'admin', password: 's3cret' })
    expect((await client.id()).id).toMatch(/^12D3Koo/)
    expect(client.baseUrl).toBe(api)
    const token = await client.token()
    const withToken = new PinmeshClient({ hosts: [api], insecure: true, token })
    expect(await withToken.version()).toBe('1.1.6')
    const bad = new PinmeshClient({ hosts: [api], insecure: true, username: 'admin', password: 'wrong' })
    const err = await bad.id().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ClientError)
    expect(err).toMatchObject({ code: 401, message: 'unauthorized: access denied' })
  })
})
