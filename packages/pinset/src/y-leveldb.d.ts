// y-leveldb ships types that its package.json "exports" hides from NodeNext resolution.
declare module 'y-leveldb' {
  import type * as Y from 'yjs'
  export function getCurrentUpdateClock(db: unknown, docName: string): Promise<number>
  export class LeveldbPersistence {
    constructor(location: string, opts?: { Level?: unknown; levelOptions?: object })
    getYDoc(docName: string): Promise<Y.Doc>
    /** Resolves the update's clock, or `null` when storage failed (y-leveldb logs and swallows errors). */
    storeUpdate(docName: string, update: Uint8Array): Promise<number | null>
    getStateVector(docName: string): Promise<Uint8Array>
    getDiff(docName: string, stateVector: Uint8Array): Promise<Uint8Array>
    flushDocument(docName: string): Promise<void>
    clearDocument(docName: string): Promise<void>
    getAllDocNames(): Promise<string[]>
    setMeta(docName: string, metaKey: string, value: unknown): Promise<void>
    getMeta(docName: string, metaKey: string): Promise<unknown>
    destroy(): Promise<void>
  }
}
