/**
 * The folder lock (`cluster.lock`, as upstream): one daemon per peer folder. The file holds the
 * owner's PID; a lock left by a process that no longer runs is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { PinmeshError } from '@pinmesh/interface'

export const LOCK_FILE = 'cluster.lock'

/** Another daemon holds the folder. */
export class FolderLockedError extends PinmeshError {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface FolderLock {
  release(): Promise<void>
}

export async function acquireLock(dir: string): Promise<FolderLock> {
  const file = join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx')
      await handle.writeFile(`${process.pid}\n`)
      await handle.close()
      return { release: () => rm(file, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number.parseInt((await readFile(file, 'utf8').catch(() => '')).trim(), 10)
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new FolderLockedError(
          `another pinmesh daemon (pid ${pid}) is already using ${dir} (lock file ${file}); stop it first, or start this one with another --config folder`,
        )
      }
      await rm(file, { force: true })
    }
  }
  throw new FolderLockedError(`could not take the lock ${file}`)
}
