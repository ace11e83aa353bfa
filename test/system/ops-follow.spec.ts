/**
 * `pinmesh follow <cluster-multiaddr>` with real processes: a cluster of two peers that trust only
 * each other, and a follower that joins through one of them. The follower syncs the whole pinset
 * read-only (what was pinned before it joined and what is pinned after), tracks the pins
 * allocated to everyone but not those allocated elsewhere, and refuses writes through its API
 * with upstream's follower error — nothing it is asked to write reaches the cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeGlobalPinInfo, parseJson } from '@pinmesh/interface'
import { afterAll, describe, expect, it } from 'vitest'
import { runPinmesh } from '../helpers/ops-cli.js'
import { allocations, cidOf } from '../helpers/ops-pins.js'
import { PEER_BIN, type PeerProcess, startPeer, tempDir } from '../helpers/peer.js'
import { freePort } from '../helpers/ports.js'
import { waitFor } from '../helpers/wait.js'

const FOLLOWER_ERROR = 'this peer is configured to be in follower mode. Write operations are disabled'

async function initPeer(dir: string): Promise<string> {
  const r = await runPinmesh(['-c', dir, 'init'])
  if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`)
  return (JSON.parse(await readFile(join(dir, 'identity.json'), 'utf8')) as { id: string }).id
}

async function post(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST' })
  return { status: res.status, body: await res.text() }
}

describe('pinmesh follow (real processes)', () => {
  const peers: PeerProcess[] = []
  const dirs: string[] = []
  let follower: ChildProcess | undefined

  afterAll(async () => {
    if (follower?.exitCode === null) follower.kill('SIGKILL')
    await Promise.all(peers.map((p) => p.kill()))
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  it('syncs the pinset read-only, tracks what is allocated to everyone, refuses writes', async () => {
    const [dirA, dirB, dirF] = [await tempDir('pinmesh-ops-follow-'), await tempDir('pinmesh-ops-follow-'), await tempDir('pinmesh-ops-follow-')]
    dirs.push(dirA, dirB, dirF)
    const [idA, idB] = [await initPeer(dirA), await initPeer(dirB)]
    const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
    // The cluster trusts only its two members.
    const env = { CLUSTER_SECRET: secret, CLUSTER_CRDT_TRUSTEDPEERS: `${idA},${idB}`, CLUSTER_MONITORPINGINTERVAL: '1s' }
    const a = await startPeer({ dir: dirA, env })
    peers.push(a)
    const addrA = ((await (await fetch(`${a.api}/id`)).json()) as { addresses: string[] }).addresses[0] as string
    const b = await startPeer({ dir: dirB, env, args: ['--bootstrap', addrA] })
    peers.push(b)

    const everywhere: string[] = []
    for (let i = 0; i < 30; i++) {
      const cid = await cidOf(`follow-before-${i}`)
      expect((await post(`${a.api}/pins/${cid}`)).status).toBe(200)
      everywhere.push(cid)
    }
    const onlyA = await cidOf('follow-only-a')
    const pinned = await post(`${a.api}/pins/${onlyA}?replication-min=1&replication-max=1&user-allocations=${idA}`)
    expect(pinned.status, pinned.body).toBe(200)
    expect((parseJson(pinned.body) as { allocations: string[] }).allocations).toEqual([idA])

    // The follower: its own folder, the cluster's secret, joined through A.
    const apiPort = await freePort()
    const api = `http://127.0.0.1:${apiPort}`
    let out = ''
    follower = spawn(process.execPath, [PEER_BIN, 'follow', addrA, '--config', dirF], {
      env: {
        ...process.env,
        PINMESH_LOG_FORMAT: 'json',
        CLUSTER_SECRET: secret,
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${apiPort}`,
        CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
        CLUSTER_MDNSINTERVAL: '0s',
        CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${await freePort()}`,
        CLUSTER_EMBEDDED_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    follower.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    follower.stderr?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    await waitFor(async () => (await fetch(`${api}/health`)).status === 204, { timeout: 90_000, message: `follower API (${out.slice(-500)})` })
    const service = JSON.parse(await readFile(join(dirF, 'service.json'), 'utf8')) as { cluster: { follower_mode: boolean } }
    expect(service.cluster.follower_mode).toBe(true)

    // Reads the pinset written before it joined, and what is written after.
    await waitFor(async () => (await allocations(api)).size === 31, { timeout: 60_000, interval: 500, message: 'follower synced the 31 pins' })
    const later = await cidOf('follow-after')
    expect((await post(`${b.api}/pins/${later}`)).status).toBe(200)
    await waitFor(async () => (await allocations(api)).has(later), { timeout: 30_000, message: 'follower received a pin written on B' })

    // Tracks pins allocated to everyone; a pin allocated to A only is remote for it.
    const followerId = ((await (await fetch(`${api}/id`)).json()) as { id: string }).id
    const statusOn = async (cid: string) => decodeGlobalPinInfo(parseJson(await (await fetch(`${api}/pins/${cid}`)).text())).peer_map[followerId]?.status
    await waitFor(async () => ['pinning', 'pinned', 'pin_queued', 'pin_error'].includes((await statusOn(everywhere[0] as string)) ?? ''), {
      timeout: 30_000,
      message: 'follower tracks a pin allocated everywhere',
    })
    // (Remote once the tracker's queue, busy with the pins above, has released it.)
    expect(['remote', 'unpin_queued', 'unpinning']).toContain(await statusOn(onlyA))

    // Writes through the follower's API are refused, and reach nobody.
    const refusedCid = await cidOf('follow-refused')
    const refused = await post(`${api}/pins/${refusedCid}`)
    expect(refused.status).toBeGreaterThanOrEqual(400)
    expect((JSON.parse(refused.body) as { message: string }).message).toBe(FOLLOWER_ERROR)
    const unpin = await fetch(`${api}/pins/${everywhere[0]}`, { method: 'DELETE' })
    expect(unpin.status).toBeGreaterThanOrEqual(400)
    expect(((await unpin.json()) as { message: string }).message).toBe(FOLLOWER_ERROR)
    const onA = await allocations(a.api)
    expect(onA.has(refusedCid)).toBe(false)
    expect(onA.has(everywhere[0] as string)).toBe(true)
    expect(onA.size).toBe(32)
  })
})
