/**
 * Maps `ipfs add` options to the UnixFS importer so the embedded node builds byte-identical DAGs
 * to Kubo's `ipfs add`: CIDv0, 256 KiB fixed-size chunks, dag-pb leaves, balanced layout with
 * at most 174 links per node, unless the options say otherwise (raw leaves become the default
 * with CIDv1, as in Kubo).
 */
import type { IpfsAddOptions } from '@pinmesh/interface'
import { InvalidArgumentError } from '@pinmesh/interface'
import type { ImporterOptions } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced, trickle } from 'ipfs-unixfs-importer/layout'

/** Kubo's defaults (`ipfs add` with no flags). */
export const KUBO_ADD_DEFAULTS = { cidVersion: 0, chunkSize: 262_144, maxLinks: 174, rawLeaves: false } as const

/** Parses Kubo's fixed-size chunker syntax `size-N` (the content-defined chunkers are refused). */
export function parseChunker(spec: string | undefined): ImporterOptions['chunker'] {
  if (spec === undefined || spec === '' || spec === 'default') return fixedSize({ chunkSize: KUBO_ADD_DEFAULTS.chunkSize })
  const size = /^size-(\d+)$/.exec(spec)
  if (size !== null) {
    const n = Number(size[1])
    if (n <= 0 || n > 1_048_576) throw new InvalidArgumentError(`chunker size must be between 1 and 1048576 bytes, got ${n}`, 'chunker')
    return fixedSize({ chunkSize: n })
  }
  if (spec.startsWith('rabin') || spec.startsWith('buzhash')) {
    // The JS rabin chunker cuts at other offsets than Kubo's, so its CIDs would differ: refuse
    // rather than silently build a different DAG.
    throw new InvalidArgumentError(
      `unsupported chunker ${JSON.stringify(spec)} for the embedded IPFS node (its CIDs would differ from Kubo's): use size-<bytes>, or a peer backed by Kubo`,
      'chunker',
    )
  }
  throw new InvalidArgumentError(`unsupported chunker ${JSON.stringify(spec)} (use size-<bytes>)`, 'chunker')
}

/** Importer options equal to Kubo's `ipfs add` with the same flags. */
export function importerOptions(options: IpfsAddOptions = {}): ImporterOptions {
  const hashAlg = options.hashAlg ?? 'sha2-256'
  if (hashAlg !== 'sha2-256') {
    throw new InvalidArgumentError(`unsupported hash ${JSON.stringify(hashAlg)} for the embedded IPFS node (only sha2-256)`, 'hash')
  }
  const cidVersion = options.cidVersion ?? KUBO_ADD_DEFAULTS.cidVersion
  if (cidVersion !== 0 && cidVersion !== 1) throw new InvalidArgumentError(`cid-version must be 0 or 1, got ${String(cidVersion)}`, 'cid-version')
  // Raw leaves are always CIDv1; with CIDv0 the other nodes stay CIDv0, as in Kubo.
  const rawLeaves = options.rawLeaves ?? cidVersion > 0
  const maxChildrenPerNode = KUBO_ADD_DEFAULTS.maxLinks
  const isTrickle = options.trickle === true || options.layout === 'trickle'
  return {
    profile: 'unixfs-v0-2015',
    cidVersion,
    rawLeaves,
    chunker: parseChunker(options.chunker),
    layout: isTrickle ? trickle({ maxChildrenPerNode, layerRepeat: 4 }) : balanced({ maxChildrenPerNode }),
    // Kubo's trickle builder makes its dag-pb leaves UnixFS `raw` nodes; the balanced one `file` nodes.
    leafType: isTrickle ? 'raw' : 'file',
    wrapWithDirectory: options.wrapWithDirectory ?? false,
    // Files arrive one after the other from a stream; read each fully before asking for the next.
    fileImportConcurrency: 1,
    reduceSingleLeafToSelf: true,
  }
}
