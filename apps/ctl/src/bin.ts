#!/usr/bin/env node
/** `pinmesh-ctl` executable. */
import { run } from './cli.js'

run(process.argv.slice(2), process.env, {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`pinmesh-ctl: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  },
)
