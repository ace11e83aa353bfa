/**
 * `pinmesh state <export|import|cleanup>`: moving a peer's pinset in and out while the peer is
 * stopped (reference §11). The commands open the state offline and refuse while a daemon holds
 * the folder.
 *
 * @example
 * ```sh
 * pinmesh state export -f pins.ndjson         # one Pin JSON per line
 * pinmesh state cleanup --force
 * pinmesh state import --force pins.ndjson    # also upstream's exports
 * ```
 */
import { parseArgs } from 'node:util'
import { cleanupState } from './cleanup.js'
import { exportState } from './export.js'
import { importState } from './import.js'
import { parseOverrides } from './pin-input.js'
import { withStateSession } from './session.js'

export { cleanupState } from './cleanup.js'
export { exportState } from './export.js'
export { importState } from './import.js'
export { type StateSession, withStateSession } from './session.js'
export { describeStateOpenError, recoverStateSwap, StateLockedError } from './store.js'

export const STATE_HELP = `Usage: pinmesh [-c <dir>] state <command>

Commands:
  export [-f <file>]      write every pin as one JSON object per line (stdout by default)
  import [options] [file] replace the state with the pins of an export (stdin when no file or -)
      -f, --force             do not ask for confirmation
      --rmin <n>              set replication_factor_min of every pin (when > 0)
      --rmax <n>              set replication_factor_max of every pin (when > 0)
      --allocations <p1,p2>   set the allocations of every pin (alias --allocs)
  cleanup [-f]            delete the state (asks for confirmation unless -f/--force)

The peer must be stopped: the commands refuse while a daemon uses the folder.
`

export interface StateIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
}

/** Runs `state <argv>` against the peer folder `path`; returns the exit code. */
export async function runStateCommand(argv: string[], path: string, io: StateIo): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'export': {
      const { values } = parseArgs({ args: rest, allowPositionals: false, strict: true, options: { file: { type: 'string', short: 'f' } } })
      const n = await withStateSession(path, (session) => exportState(session, { file: values.file, stdout: io.stdout, stderr: io.stderr }))
      io.stderr.write(`exported ${n} pins${values.file !== undefined && values.file !== '-' ? ` to ${values.file}` : ''}\n`)
      return 0
    }
    case 'import': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        strict: true,
        options: {
          force: { type: 'boolean', short: 'f' },
          rmin: { type: 'string' },
          rmax: { type: 'string' },
          allocations: { type: 'string' },
          allocs: { type: 'string' },
        },
      })
      if (positionals.length > 1) throw new Error(`state import takes one input file, got ${positionals.length}`)
      const overrides = parseOverrides({ rmin: values.rmin, rmax: values.rmax, allocations: values.allocations ?? values.allocs })
      const n = await withStateSession(path, (session) =>
        importState(session, { file: positionals[0], force: values.force === true, overrides, stdin: io.stdin, stderr: io.stderr }),
      )
      io.stderr.write(`imported ${n} pins\n`)
      return 0
    }
    case 'cleanup': {
      const { values } = parseArgs({ args: rest, allowPositionals: false, strict: true, options: { force: { type: 'boolean', short: 'f' } } })
      await withStateSession(path, (session) => cleanupState(session, { force: values.force === true, stdin: io.stdin, stderr: io.stderr }))
      io.stderr.write('state removed\n')
      return 0
    }
    case undefined:
    case 'help':
      io.stdout.write(STATE_HELP)
      return command === undefined ? 1 : 0
    default:
      io.stderr.write(`pinmesh: unknown state command ${JSON.stringify(command)}\n\n${STATE_HELP}`)
      return 1
  }
}
