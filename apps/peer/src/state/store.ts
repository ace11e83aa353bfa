/**
 * The peer's state folder as the offline state commands see it: `<config>/pinset`, opened
 * without network (no gossip, no sync), the same way the daemon opens it.
 *
 * Replacing the state (import) never writes into the live folder: pins go into a staging folder
 * beside it, and only a complete, closed staging state is swapped in by two renames. A journal
 * file written before the renames lets the next state command finish an interrupted swap, so a
 * crash leaves either the old state or the new one, never half of the import.
 *
 * The commands hold the peer's folder lock (`cluster.lock`, see `session.ts`) while they run, so
 * they refuse while a daemon runs and no daemon starts meanwhile. The LevelDB lock of the pinset
 * folder is checked too (`StateLockedError`), for a process that holds the state without the
 * folder lock.
 */
import { randomBytes } from 'node:crypto'
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { PinmeshError, type Pinset, StateFormatError } from '@pinmesh/interface'
import { createPinset, type PinsetConfig } from '@pinmesh/pinset'
import { Level } from 'level'
import type { Logger } from 'pino'

/** The pinset folder inside the peer's folder (what the daemon opens). */
export const PINSET_DIR = 'pinset'
const STAGING_PREFIX = `${PINSET_DIR}.import-`
const REPLACED_PREFIX = `${PINSET_DIR}.replaced-`
const JOURNAL = `${PINSET_DIR}.swap.json`

/** The state is in use by another process (normally a running `pinmesh daemon`). */
export class StateLockedError extends PinmeshError {
  constructor(readonly path: string) {
    super(`the state in ${path} is in use by another process: stop the pinmesh daemon running on this folder first`)
  }
}

function levelCode(err: unknown, code: string): Error | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: string }).code === code) return e
  }
  return undefined
}

/**
 * Turns a LevelDB open failure of the state folder into an error that says what is wrong and
 * what to do (the daemon may use it too).
 */
export function describeStateOpenError(err: unknown, folder: string): Error {
  if (levelCode(err, 'LEVEL_LOCKED')) return new StateLockedError(folder)
  const corrupt = levelCode(err, 'LEVEL_CORRUPTION')
  if (corrupt) {
    return new StateFormatError(
      `the state in ${folder} is corrupt (${corrupt.message}): restore it with "pinmesh state import" from an export, or remove it with "pinmesh state cleanup" and let the peer catch up from the cluster`,
      { cause: err },
    )
  }
  const cause = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err)
  return new StateFormatError(`cannot open the state in ${folder}: ${cause}`, { cause: err })
}

/**
 * Fails with `StateLockedError` when another process holds the LevelDB lock of `folder`, and
 * with `StateFormatError` when it cannot be opened (corruption). Checked with our own short-lived
 * handle before the pinset opens it, so the error names the folder and what to do.
 */
async function assertUnlocked(folder: string): Promise<void> {
  const db = new Level(folder)
  try {
    await db.open()
  } catch (err) {
    throw describeStateOpenError(err, folder)
  }
  await db.close()
}

/** Opens a pinset folder offline (no libp2p: no gossip, no sync) with the peer's pinset config. */
export async function openPinsetAt(folder: string, config: PinsetConfig, logger: Logger): Promise<Pinset> {
  await assertUnlocked(folder)
  const pinset = await createPinset({ ...config, path: folder }, { logger })
  await pinset.ready()
  return pinset
}

/** Opens the peer's live state, first finishing any interrupted import swap. */
export async function openState(configDir: string, config: PinsetConfig, logger: Logger): Promise<Pinset> {
  await recoverStateSwap(configDir)
  return openPinsetAt(join(configDir, PINSET_DIR), config, logger)
}

/**
 * Fails with `StateLockedError` when a daemon runs on this folder. A corrupt state passes: it can
 * still be replaced (import) or removed (cleanup).
 */
export async function assertStateFree(configDir: string): Promise<void> {
  await recoverStateSwap(configDir)
  try {
    await assertUnlocked(join(configDir, PINSET_DIR))
  } catch (err) {
    if (err instanceof StateLockedError) throw err
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

/** A fresh, empty staging folder for an import. */
export function stagingFolder(configDir: string): string {
  return join(configDir, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`)
}

interface Journal {
  staging: string
  replaced: string
}

async function writeDurably(path: string, text: string): Promise<void> {
  const fh = await open(path, 'w')
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * Makes the (closed, complete) staging folder the live state. The old state is removed once the
 * new one is in place.
 */
export async function swapInState(configDir: string, staging: string): Promise<void> {
  const live = join(configDir, PINSET_DIR)
  const replaced = join(configDir, `${REPLACED_PREFIX}${randomBytes(6).toString('hex')}`)
  const journal: Journal = { staging, replaced }
  await writeDurably(join(configDir, JOURNAL), JSON.stringify(journal))
  if (await exists(live)) await rename(live, replaced)
  await rename(staging, live)
  await rm(join(configDir, JOURNAL), { force: true })
  await rm(replaced, { recursive: true, force: true })
}

/**
 * Finishes or rolls back what a crashed state command left: completes a swap whose journal is
 * still there, removes leftover staging and replaced folders. Idempotent; the daemon may call it
 * before opening the pinset.
 */
export async function recoverStateSwap(configDir: string): Promise<void> {
  const live = join(configDir, PINSET_DIR)
  let journal: Journal | undefined
  try {
    journal = JSON.parse(await readFile(join(configDir, JOURNAL), 'utf8')) as Journal
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (journal !== undefined) {
    // The journal is written after the staging state was complete: the import wins.
    if (!(await exists(live)) && (await exists(journal.staging))) await rename(journal.staging, live)
    else if (await exists(journal.staging)) {
      // Crashed before the first rename: the live state is the old one; swap now.
      await rename(live, journal.replaced)
      await rename(journal.staging, live)
    }
    await rm(join(configDir, JOURNAL), { force: true })
  }
  let names: string[]
  try {
    names = await readdir(configDir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for (const name of names) {
    if (name.startsWith(STAGING_PREFIX) || name.startsWith(REPLACED_PREFIX)) await rm(join(configDir, name), { recursive: true, force: true })
  }
}

/** Deletes the live state (after checking no daemon holds it). */
export async function removeState(configDir: string): Promise<void> {
  await assertStateFree(configDir)
  const live = join(configDir, PINSET_DIR)
  if (!(await exists(live))) return
  // Rename first so a crash mid-delete never leaves a half-deleted live state.
  const replaced = join(configDir, `${REPLACED_PREFIX}${randomBytes(6).toString('hex')}`)
  await rename(live, replaced)
  await rm(replaced, { recursive: true, force: true })
}
