/**
 * What every state command runs inside: the peer's folder lock (`cluster.lock`, the daemon's
 * lock, as upstream's state commands take it), an interrupted import swap finished, and the
 * pinset configuration read the way the daemon reads it (`service.json` + `CLUSTER_CRDT_*`), so
 * the state is opened with the shard count it was created with.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { PinsetConfig } from '@pinmesh/pinset'
import type { Logger } from 'pino'
import { acquireLock } from '../lock.js'
import { createLogger } from '../logger.js'
import { readPinsetConfig } from './pinset-config.js'
import { PINSET_DIR, recoverStateSwap } from './store.js'

export interface StateSession {
  configDir: string
  /** Pinset configuration of the live state (`path` = `<configDir>/pinset`). */
  pinset: PinsetConfig
  logger: Logger
}

/** Runs `fn` holding the folder lock; fails with `FolderLockedError` while a daemon runs. */
export async function withStateSession<T>(configDir: string, fn: (session: StateSession) => Promise<T>): Promise<T> {
  await mkdir(configDir, { recursive: true })
  const lock = await acquireLock(configDir)
  try {
    await recoverStateSwap(configDir)
    const logger = createLogger(process.env.PINMESH_LOG_LEVEL ?? 'warn')
    const pinset = await readPinsetConfig(configDir, join(configDir, PINSET_DIR))
    return await fn({ configDir, pinset, logger })
  } finally {
    await lock.release()
  }
}
