/**
 * `pinmesh follow <cluster-multiaddr>`: a follower peer (upstream's `ipfs-cluster-follow`,
 * reference §12.3). The folder is set up once as a follower — `cluster.follower_mode: true`
 * written into its `service.json` (created by `init` when absent), so a later `pinmesh daemon` on
 * it stays a follower — and the peer joins the cluster through the given peer.
 *
 * A follower is not one of the cluster's trusted peers: the cluster never applies its updates,
 * and its own API refuses writes with upstream's follower error. It reads the pinset (gossip and
 * anti-entropy sync from the peers it trusts) and pins what its allocation rules give it: every
 * pin allocated "everywhere" (replication -1, the collaborative-cluster case), and pins that list
 * it in their allocations.
 *
 * The cluster's secret comes from `CLUSTER_SECRET` (or the folder's `service.json`).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidArgumentError } from '@pinmesh/interface'

/** Validates the cluster address and writes `follower_mode: true` into the folder's config. */
export async function prepareFollower(path: string, clusterAddr: string | undefined, log: (line: string) => void): Promise<void> {
  if (clusterAddr === undefined) throw new InvalidArgumentError('usage: pinmesh follow <cluster-multiaddr> (a cluster peer, ending in /p2p/<peer id>)')
  let peer: string | undefined
  try {
    peer = multiaddr(clusterAddr)
      .getComponents()
      .find((c) => c.name === 'p2p')?.value
  } catch (err) {
    throw new InvalidArgumentError(`${JSON.stringify(clusterAddr)} is not a multiaddress (${(err as Error).message})`)
  }
  if (peer === undefined) throw new InvalidArgumentError(`${JSON.stringify(clusterAddr)} must end in /p2p/<peer id> of a cluster peer`)
  const file = join(path, 'service.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    const { initConfig } = await import('./config/init.js')
    await initConfig(path, { log })
    text = await readFile(file, 'utf8')
  }
  const json = JSON.parse(text) as { cluster?: Record<string, unknown> }
  if (json.cluster?.follower_mode === true) return
  json.cluster = { ...json.cluster, follower_mode: true }
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 })
  log(`${file}: follower_mode set: this peer follows the cluster of ${peer} and refuses writes`)
}
