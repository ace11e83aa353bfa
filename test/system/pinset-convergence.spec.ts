/**
 * Convergence property test. Three replicas (real Y docs, real LevelDB on disk) take random
 * puts and removes of overlapping CIDs while their gossip messages (the real wire encoding)
 * are lost, duplicated, reordered and cut by partitions. After healing with the real sync
 * protocol (frames passed in memory), every replica has the same digest and the same
 * contents — also after reopening from disk.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPinset, type PinsetNode, Sync, wire } from '@pinmesh/pinset'
import { describe, expect, it } from 'vitest'
import { cidFor, pinFor } from './fixtures/pinset-cids.js'
import { silent } from './fixtures/pinset-nodes.js'

type SyncCtor = new (libp2p: unknown, pinset: PinsetNode['internals']['pinset'], trusted: (p: string) => boolean, log: typeof silent) => Sync

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function contents(p: PinsetNode): Promise<string[]> {
  const out: string[] = []
  for await (const pin of p.list()) out.push(`${pin.cid}=${pin.name}`)
  return out.sort()
}

/** One anti-entropy pull of `client` from `server`, frames through the real codecs. */
async function pull(SyncClass: SyncCtor, client: PinsetNode, server: PinsetNode): Promise<void> {
  const c = new SyncClass(undefined, client.internals.pinset, () => true, silent)
  const s = new SyncClass(undefined, server.internals.pinset, () => true, silent)
  const request = wire.decodeFrame(wire.encodeRequest(1, c.states()), 64)
  if (request.type !== 'request') throw new Error('bad request')
  const frames: Uint8Array[] = []
  await s.sendDiffs(request.states, async (f) => {
    frames.push(f)
  })
  const receive = c.receiver('server')
  let result: unknown
  for (const f of frames) result = await receive(f)
  expect(result).toMatchObject({ applied: true })
}

describe('pinset convergence under loss, duplication, reordering and partitions', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`converges (seed ${seed})`, async () => {
      const random = rng(seed)
      const dirs: string[] = []
      const replicas: PinsetNode[] = []
      for (let i = 0; i < 3; i++) {
        dirs.push(await mkdtemp(join(tmpdir(), 'pinmesh-conv-')))
        replicas.push(await createPinset({ path: dirs[i] as string, shards: 4, batching: { max_batch_size: 8, max_batch_age: 1 } }, { logger: silent }))
      }
      const SyncClass = Sync as unknown as SyncCtor
      const inflight: Array<{ from: number; to: number; msg: Uint8Array }> = []
      let partition: ((a: number, b: number) => boolean) | undefined
      replicas.forEach((r, from) => {
        r.internals.pinset.onCommit = (updates) => {
          for (const msg of [wire.encodeUpdateMessage(4, updates)]) {
            for (let to = 0; to < 3; to++) {
              if (to === from || partition?.(from, to)) continue
              if (random() < 0.25) continue // lost
              inflight.push({ from, to, msg })
              if (random() < 0.15) inflight.push({ from, to, msg }) // duplicated
            }
          }
        }
      })
      const deliver = async (n: number) => {
        for (let k = 0; k < n && inflight.length > 0; k++) {
          const [m] = inflight.splice(Math.floor(random() * inflight.length), 1) // reordered
          if (m === undefined) continue
          const decoded = wire.decodeGossip(m.msg, 4)
          if (decoded.type === 'update') await (replicas[m.to] as PinsetNode).internals.pinset.applyRemote(decoded.updates, 'gossip')
        }
      }
      for (let round = 0; round < 12; round++) {
        if (round === 3) partition = (a, b) => (a === 0) !== (b === 0)
        if (round === 8) partition = undefined
        const writes: Promise<void>[] = []
        for (let op = 0; op < 25; op++) {
          const r = replicas[Math.floor(random() * 3)] as PinsetNode
          const n = Math.floor(random() * 30)
          writes.push(random() < 0.7 ? r.put(pinFor(n, `s${seed}r${round}o${op}`)) : r.remove(cidFor(n)))
        }
        await Promise.all(writes)
        await deliver(Math.floor(random() * 40))
      }
      await deliver(Math.floor(inflight.length / 2))
      // Heal: every replica pulls from every other.
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b) await pull(SyncClass, replicas[a] as PinsetNode, replicas[b] as PinsetNode)
      const digests = await Promise.all(replicas.map((r) => r.digest()))
      expect(new Set(digests).size).toBe(1)
      const all = await Promise.all(replicas.map(contents))
      expect(all[1]).toEqual(all[0])
      expect(all[2]).toEqual(all[0])
      expect((all[0] as string[]).length).toBeGreaterThan(0)
      for (const r of replicas) expect(await r.size()).toBe((all[0] as string[]).length)
      // Late duplicates change nothing.
      await deliver(inflight.length)
      expect(new Set(await Promise.all(replicas.map((r) => r.digest()))).size).toBe(1)
      // Remote updates were persisted: a reopened replica has the same state.
      const d0 = await (replicas[0] as PinsetNode).digest()
      await Promise.all(replicas.map((r) => r.close()))
      const reopened = await createPinset({ path: dirs[0] as string, shards: 4 }, { logger: silent })
      expect(await reopened.digest()).toBe(d0)
      expect(await contents(reopened)).toEqual(all[0])
      await reopened.close()
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
    })
  }
})
