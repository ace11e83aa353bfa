/**
 * Example objects from the reference (ipfs-cluster.md §1.10) and helpers to compare the shape
 * (key order and JSON types) of what pinmesh sends with them.
 */
export const REFERENCE_ID = {
  id: '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK',
  addresses: ['/ip4/127.0.0.1/tcp/9096/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'],
  cluster_peers: ['12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'],
  cluster_peers_addresses: [],
  version: '1.1.6',
  commit: '',
  rpc_protocol_version: '/ipfscluster/1.0/rpc',
  error: '',
  ipfs: { id: '12D3KooWLx8Hv8QjDWdMSkFPJpX7XiSUjVh2ZArSc5m4dcN8w9ZD', addresses: ['/ip4/127.0.0.1/tcp/4001'], error: '' },
  peername: 'node-a',
}

export const REFERENCE_PIN = {
  replication_factor_min: 2,
  replication_factor_max: 3,
  name: 'website-v2',
  mode: 'recursive',
  shard_size: 0,
  user_allocations: null,
  expire_at: '0001-01-01T00:00:00Z',
  metadata: { kind: 'text' },
  pin_update: null,
  origins: [],
  cid: 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  type: 'pin',
  allocations: ['12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'],
  max_depth: -1,
  reference: null,
  timestamp: '2026-05-11T10:17:41+02:00',
}

export const REFERENCE_GLOBAL_PIN_INFO = {
  cid: 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
  name: 'website-v2',
  allocations: ['12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'],
  origins: [],
  created: '2026-05-11T10:17:41+02:00',
  metadata: null,
  peer_map: {
    '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK': {
      peername: 'node-a',
      ipfs_peer_id: '12D3KooWLx8Hv8QjDWdMSkFPJpX7XiSUjVh2ZArSc5m4dcN8w9ZD',
      ipfs_peer_addresses: ['/ip4/127.0.0.1/tcp/4001'],
      status: 'pinned',
      timestamp: '2026-05-11T10:17:41+02:00',
      error: '',
      attempt_count: 0,
      priority_pin: false,
    },
  },
}

export const REFERENCE_CONNECT_GRAPH = {
  cluster_id: '12D3KooWA',
  id_to_peername: {},
  ipfs_links: {},
  cluster_links: {},
  cluster_trust_links: {},
  cluster_to_ipfs: {},
}

type Shape = string | { [k: string]: Shape } | Shape[]

/**
 * The JSON shape of a value: objects keep their key order; `nullable` lists keys where upstream
 * emits either `null` or a value (nil slices/maps), whose type is then not compared.
 */
export function shape(value: unknown, nullable: ReadonlySet<string> = new Set(), key = ''): Shape {
  if (nullable.has(key)) return 'nullable'
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0], nullable, `${key}[]`)]
  if (typeof value === 'object') {
    const out: Record<string, Shape> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = shape(v, nullable, key === '' ? k : `${key}.${k}`)
    return out
  }
  return typeof value
}

/** Key order of an object and of its nested objects, as paths. */
export function keyOrder(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
  const out: string[] = []
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out.push(`${prefix}${k}`)
    if (!/^(peer_map|metadata|id_to_peername|ipfs_links|cluster_links|cluster_trust_links|cluster_to_ipfs)$/.test(k)) out.push(...keyOrder(v, `${prefix}${k}.`))
  }
  return out
}
