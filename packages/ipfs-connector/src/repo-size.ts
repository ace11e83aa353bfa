/**
 * Size and object count of the embedded node's on-disk blockstore, walked with a streaming
 * directory reader and cached for a few seconds (a `repo stat` per metric tick must not walk a
 * large repository each time).
 */
import { opendir, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'

export interface RepoUsage {
  repoSize: number
  numObjects: number
}

async function walk(dir: string, usage: RepoUsage): Promise<void> {
  let handle: Awaited<ReturnType<typeof opendir>>
  try {
    handle = await opendir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for await (const entry of handle) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) await walk(p, usage)
    else if (entry.isFile() && entry.name.endsWith('.data')) {
      usage.repoSize += (await stat(p).catch(() => ({ size: 0 }))).size
      usage.numObjects++
    }
  }
}

/** Walks `dir` (cached for `ttl` ms). */
export function createRepoUsage(dir: string, ttl = 5_000): { get(): Promise<RepoUsage>; invalidate(): void; freeBytes(): Promise<number> } {
  let cached: { at: number; value: Promise<RepoUsage> } | undefined
  return {
    get() {
      if (cached === undefined || Date.now() - cached.at > ttl) {
        const usage: RepoUsage = { repoSize: 0, numObjects: 0 }
        const value = walk(dir, usage).then(() => usage)
        value.catch(() => {
          cached = undefined
        })
        cached = { at: Date.now(), value }
      }
      return cached.value
    },
    invalidate() {
      cached = undefined
    },
    async freeBytes() {
      const s = await statfs(dir)
      return s.bavail * s.bsize
    },
  }
}
