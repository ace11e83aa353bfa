/**
 * An in-memory ClusterApi for unit tests of the HTTP layer only (routing, codecs on the wire,
 * streaming, auth). System tests use real peers.
 */
import type { AbortOptions, Alert, ClusterApi, GlobalPinInfo, GlobalRepoGC, ID, Metric, Pin, PinOptions, RepoGC } from '@pinmesh/interface'
import { API_VERSION, NotImplementedError, newPin, PinNotFoundError, parseCid } from '@pinmesh/interface'

export const SELF = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

export class FakeCluster implements ClusterApi {
  pins = new Map<string, Pin>()
  /** When set, statusAll throws this after yielding `failAfter` items. */
  failAfter?: number
  pinCalls = 0

  version(): string {
    return API_VERSION
  }
  async id(): Promise<ID> {
    return {
      id: SELF,
      addresses: [`/ip4/127.0.0.1/tcp/9096/p2p/${SELF}`],
      cluster_peers: [SELF],
      cluster_peers_addresses: [],
      version: API_VERSION,
      commit: '',
      rpc_protocol_version: '/pinmesh/rpc/1.0.0',
      error: '',
      ipfs: { id: '12D3KooWLx8Hv8QjDWdMSkFPJpX7XiSUjVh2ZArSc5m4dcN8w9ZD', addresses: ['/ip4/127.0.0.1/tcp/4001'], error: '' },
      peername: 'node-a',
    }
  }
  async *peers(): AsyncIterable<ID> {
    yield await this.id()
  }
  async peerRemove(): Promise<void> {
    throw new NotImplementedError('crdt consensus component cannot remove peers')
  }
  async pin(cid: string, options: PinOptions): Promise<Pin> {
    this.pinCalls++
    parseCid(cid)
    const pin = newPin(cid, options)
    this.pins.set(cid, pin)
    return pin
  }
  async resolve(path: string): Promise<string> {
    throw new NotImplementedError(`cannot resolve ${path}`)
  }
  async unpin(cid: string): Promise<Pin> {
    const pin = this.pins.get(cid)
    if (pin === undefined) throw new PinNotFoundError(cid)
    this.pins.delete(cid)
    return pin
  }
  async allocation(cid: string): Promise<Pin> {
    const pin = this.pins.get(cid)
    if (pin === undefined) throw new PinNotFoundError(cid)
    return pin
  }
  async *allocations(): AsyncIterable<Pin> {
    yield* this.pins.values()
  }
  private info(pin: Pin): GlobalPinInfo {
    return {
      cid: pin.cid,
      name: pin.name,
      allocations: pin.allocations,
      origins: pin.origins,
      created: pin.timestamp,
      metadata: pin.metadata,
      peer_map: { [SELF]: { peername: 'node-a', status: 'pinned', timestamp: pin.timestamp, error: '', attempt_count: 0, priority_pin: false } },
    }
  }
  async status(cid: string): Promise<GlobalPinInfo> {
    const pin = this.pins.get(cid)
    if (pin === undefined) throw new Error(`no status for ${cid}`)
    return this.info(pin)
  }
  async *statusAll(_filter: number, _options?: AbortOptions): AsyncIterable<GlobalPinInfo> {
    let n = 0
    for (const pin of this.pins.values()) {
      if (this.failAfter !== undefined && n++ >= this.failAfter) throw new Error('tracker exploded')
      yield this.info(pin)
    }
    if (this.failAfter !== undefined && n >= this.failAfter) throw new Error('tracker exploded')
  }
  async recover(cid: string): Promise<GlobalPinInfo> {
    return this.status(cid)
  }
  async *recoverAll(): AsyncIterable<GlobalPinInfo> {}
  async repoGc(): Promise<GlobalRepoGC> {
    return { peer_map: { [SELF]: await this.repoGcLocal() } }
  }
  async repoGcLocal(): Promise<RepoGC> {
    return { peer: SELF, peername: 'node-a', keys: [] }
  }
  metricNames(): string[] {
    return ['freespace']
  }
  metrics(name: string): Metric[] {
    return name === 'freespace'
      ? [
          {
            name,
            peer: SELF,
            value: '53687091200',
            expire: 1778487491123456789n,
            valid: true,
            weight: 53687091200,
            partitionable: false,
            received_at: 1778487461123456789n,
          },
        ]
      : []
  }
  alerts(): Alert[] {
    return []
  }
}

/** Known-good CIDs. */
export const CIDS = [
  'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
  'QmZ4tDuvesekSs4qM5ZBKpXiZGun7S2CYtEZRB3DYXkjGx',
  'QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u',
]
