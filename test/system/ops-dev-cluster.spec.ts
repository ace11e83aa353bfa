/**
 * `npm run dev:cluster -- --peers 2` as a developer runs it: real npm, the real supervisor and
 * real peer processes. Reads the printed API addresses, asks each peer for /id (both peers joined
 * into one cluster), sends SIGINT (what Ctrl-C does) and checks that every peer process exited and the temporary folder is gone.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { decodeId, parseJson } from '@pinmesh/interface'
import { afterAll, describe, expect, it } from 'vitest'
import { alive } from '../helpers/ops-netlab.js'
import { ROOT } from '../helpers/peer.js'
import { waitFor } from '../helpers/wait.js'

describe('npm run dev:cluster (real processes)', () => {
  let proc: ChildProcess | undefined
  const pids: number[] = []

  afterAll(() => {
    // Only if the test failed half-way: leave nothing running.
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL')
    if (proc?.exitCode === null) proc.kill('SIGKILL')
  })

  it('starts 2 peers, prints their API addresses, and stops them all on SIGINT', async () => {
    let stdout = ''
    let stderr = ''
    proc = spawn('npm', ['run', '--silent', 'dev:cluster', '--', '--peers', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    proc.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const exited = new Promise<number | null>((resolve) => proc?.once('exit', (code) => resolve(code)))
    await waitFor(() => stdout.includes('Press Ctrl-C'), { timeout: 150_000, message: `dev cluster ready (stdout: ${stdout}, stderr: ${stderr})` })

    const peers = [...stdout.matchAll(/^ {2}(peer\d+) +(12D3KooW\w+) +API (http:\/\/127\.0\.0\.1:\d+) .* pid (\d+) /gm)].map((m) => ({
      name: m[1] as string,
      id: m[2] as string,
      api: m[3] as string,
      pid: Number(m[4]),
    }))
    expect(peers.map((p) => p.name)).toEqual(['peer0', 'peer1'])
    pids.push(...peers.map((p) => p.pid))
    const folder = /starting 2 peers in (\S+)/.exec(stderr)?.[1]
    expect(folder).toBeDefined()

    const both = peers.map((p) => p.id).sort()
    for (const peer of peers) {
      const res = await fetch(`${peer.api}/id`)
      expect(res.status).toBe(200)
      const id = decodeId(parseJson(await res.text()))
      expect(id.id).toBe(peer.id)
      expect(id.peername).toBe(peer.name)
      // Joined: each sees the other (peer1 bootstrapped to peer0).
      await waitFor(
        async () => JSON.stringify(decodeId(parseJson(await (await fetch(`${peer.api}/id`)).text())).cluster_peers.sort()) === JSON.stringify(both),
        {
          timeout: 30_000,
          message: `${peer.name} to see both peers`,
        },
      )
    }
    expect(new Set(peers.map((p) => p.api)).size).toBe(2)

    proc.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(stderr).toContain('all peers stopped')
    for (const peer of peers) expect(alive(peer.pid), `${peer.name} (pid ${peer.pid}) still running`).toBe(false)
    await expect(stat(folder as string)).rejects.toThrow(/ENOENT/)
  })
})
