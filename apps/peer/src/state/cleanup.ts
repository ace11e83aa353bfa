/**
 * `pinmesh state cleanup [-f]`: deletes this peer's state (reference §11). After a restart the
 * peer starts with an empty pinset and catches up with the cluster like a new peer.
 */
import { confirm } from './confirm.js'
import type { StateSession } from './session.js'
import { assertStateFree, removeState } from './store.js'

export const CLEANUP_PROMPT = 'The peer state will be removed.  Existing pins may be lost. Continue?'

export interface CleanupOptions {
  force: boolean
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stderr: { write(text: string): unknown }
}

export async function cleanupState(session: StateSession, options: CleanupOptions): Promise<void> {
  const { configDir } = session
  // Refuse before asking anything when a daemon runs on this folder.
  await assertStateFree(configDir)
  if (!options.force) await confirm(CLEANUP_PROMPT, { input: options.stdin, output: options.stderr })
  await removeState(configDir)
}
