/**
 * Fixtures for the orchestration system tests: a cluster of real peer processes with fast
 * monitoring (short ping interval, TTLs and alert checks), per-peer extra environment (tags),
 * blocks seeded into a running peer's on-disk blockstore, and small REST helpers.
 */
import { join } from 'node:path'
import type { GlobalPinInfo, Pin } from '@pinmesh/interface'
import { decodeGlobalPinInfo, decodePin, parseJson } from '@pinmesh/interface'
import { FsBlockstore } from 'blockstore-fs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { type PeerProcess, startPeer } from './peer.js'
import { waitFor } from './wait.js'

/** Environment for fast failure detection: pings every 1 s (TTL 2 s), alerts checked every 500 ms. */
export const FAST_MONITORING: Record<string, string> = {
  CLUSTER_MONITORPINGINTERVAL: '1s',
  CLUSTER_PUBSUBMON_CHECKINTERVAL: '500ms',
  CLUSTER_DISK_METRICTTL: '2s',
  CLUSTER_TAGS_METRICTTL: '2s',
  CLUSTER_PINQUEUE_METRICTTL: '2s',
}

export interface OrchestrationCluster {
  peers: PeerProcess[]
  ids: string[]
  destroy(): Promise<void>
}

async function idOf(api: string): Promise<{ id: string; addresses: string[] }> {
  const body = (await (await fetch(`${api}/id`)).json()) as { id: string; addresses: string[] | null }
  return { id: body.id, addresses: body.addresses ?? [] }
}

/**
 * Starts `envs.length` peers sharing a fresh secret; peer i gets `env` + `envs[i]`. Peers 2..n
 * bootstrap to the first. Resolves when every peer sees every other one with the metrics
 * allocation needs (`allocateBy`).
 */
export async function startOrchestrationCluster(
  env: Record<string, string>,
  envs: Record<string, string>[],
  allocateBy: string[],
): Promise<OrchestrationCluster> {
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')
  const base = { CLUSTER_SECRET: secret, ...FAST_MONITORING, ...env }
  const peers: PeerProcess[] = []
  const destroy = async () => {
    await Promise.all(peers.map((p) => p.kill()))
  }
  try {
    peers.push(await startPeer({ env: { ...base, ...envs[0] } }))
    const first = await idOf((peers[0] as PeerProcess).api)
    const bootstrap = first.addresses[0] as string
    for (const extra of envs.slice(1)) peers.push(await startPeer({ env: { ...base, ...extra }, args: ['--bootstrap', bootstrap] }))
    const ids = await Promise.all(peers.map(async (p) => (await idOf(p.api)).id))
    for (const p of peers) {
      await waitFor(
        async () => {
          for (const name of allocateBy) {
            const metrics = (await (await fetch(`${p.api}/monitor/metrics/${name}`)).json()) as { peer: string }[] | null
            if ((metrics ?? []).length < ids.length) return false
          }
          return true
        },
        { timeout: 60_000, message: `every peer's ${allocateBy.join(', ')} metrics at ${p.api}` },
      )
    }
    return { peers, ids, destroy }
  } catch (err) {
    await destroy()
    throw err
  }
}

/** Writes a raw block into a peer's on-disk blockstore (the embedded IPFS node reads it from there). */
export async function seedBlock(peerDirs: string[], text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text)
  const cid = CID.createV1(raw.code, await sha256.digest(bytes))
  for (const dir of peerDirs) {
    const store = new FsBlockstore(join(dir, 'ipfs', 'blocks'))
    await store.open()
    await store.put(cid, bytes)
    await store.close()
  }
  return cid.toString()
}

export async function pinVia(api: string, cid: string, query = ''): Promise<Pin> {
  const res = await fetch(`${api}/pins/${cid}${query}`, { method: 'POST' })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`POST /pins/${cid}${query}: ${res.status} ${text}`)
  return decodePin(parseJson(text))
}

export async function globalStatus(api: string, cid: string): Promise<GlobalPinInfo> {
  const res = await fetch(`${api}/pins/${cid}`)
  if (res.status !== 200) throw new Error(`GET /pins/${cid}: ${res.status} ${await res.text()}`)
  return decodeGlobalPinInfo(parseJson(await res.text()))
}

export async function allocationOf(api: string, cid: string): Promise<Pin> {
  const res = await fetch(`${api}/allocations/${cid}`)
  if (res.status !== 200) throw new Error(`GET /allocations/${cid}: ${res.status} ${await res.text()}`)
  return decodePin(parseJson(await res.text()))
}

/** Statuses by peer ID. */
export function statuses(info: GlobalPinInfo): Record<string, string> {
  return Object.fromEntries(Object.entries(info.peer_map).map(([peer, s]) => [peer, s.status]))
}
