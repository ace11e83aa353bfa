/**
 * The IPFS-side operations of the Cluster that are not pins: resolving IPFS paths, garbage
 * collection of the local node (reported in upstream's `RepoGC` shape) and repository usage.
 */
import type { AbortOptions, IpfsConnector, IpfsRepoStat, RepoGC } from '@pinmesh/interface'
import { InvalidArgumentError, parseCid } from '@pinmesh/interface'

/** Resolves `/ipfs/<cid>[/path]` (or a bare CID) to a CID, asking the IPFS node for sub-paths. */
export async function resolveIpfsPath(ipfs: IpfsConnector, path: string, options?: AbortOptions): Promise<string> {
  const m = /^(?:\/ipfs\/)?([^/]+)(\/.*)?$/.exec(path)
  if (m === null || path.startsWith('/ipns/')) throw new InvalidArgumentError(`Error parsing IPFS Path: ${JSON.stringify(path)} is not an /ipfs/ path`)
  parseCid(m[1] as string)
  const rest = (m[2] ?? '').replace(/\/+$/, '')
  if (rest === '') return m[1] as string
  if (ipfs.resolve === undefined) throw new InvalidArgumentError(`this IPFS node cannot resolve paths: ${path}`)
  return ipfs.resolve(`/ipfs/${m[1]}${rest}`, options)
}

/** Runs GC on the local node; per-key errors and a failure of the whole run are reported, not thrown. */
export async function repoGcLocal(ipfs: IpfsConnector, peer: string, peername: string, options?: AbortOptions): Promise<RepoGC> {
  const result: RepoGC = { peer, peername, keys: [] }
  try {
    for await (const k of ipfs.repoGc(options)) result.keys.push(k.error !== undefined && k.error !== '' ? { key: k.key, error: k.error } : { key: k.key })
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err)
  }
  return result
}

/** The local node's repository usage. */
export function localRepoStat(ipfs: IpfsConnector, options?: AbortOptions): Promise<IpfsRepoStat> {
  return ipfs.repoStat(options)
}
