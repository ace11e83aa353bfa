/**
 * Peers removed from the cluster with `DELETE /peers/{id}`: forgotten and never trusted again
 * by this peer. Kept in `removed_peers.json` in the peer's folder so a restart does not let them
 * back in.
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import { InvalidConfigError } from '@pinmesh/interface'

export class RemovedPeers {
  private readonly peers = new Set<string>()

  private constructor(private readonly file: string | undefined) {}

  static async load(file: string | undefined): Promise<RemovedPeers> {
    const removed = new RemovedPeers(file)
    if (file === undefined) return removed
    let text: string | undefined
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (text !== undefined) {
      let list: unknown
      try {
        list = JSON.parse(text)
      } catch (err) {
        throw new InvalidConfigError(file, `must be a JSON list of peer IDs (${(err as Error).message})`)
      }
      if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) throw new InvalidConfigError(file, 'must be a JSON list of peer IDs')
      for (const p of list as string[]) removed.peers.add(p)
    }
    return removed
  }

  has(peer: string): boolean {
    return this.peers.has(peer)
  }

  async add(peer: string): Promise<void> {
    this.peers.add(peer)
    if (this.file === undefined) return
    const tmp = `${this.file}.tmp`
    await writeFile(tmp, `${JSON.stringify([...this.peers], null, 2)}\n`)
    await rename(tmp, this.file)
  }
}
