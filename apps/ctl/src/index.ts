/**
 * @pinmesh/ctl — `pinmesh-ctl`, the control CLI: upstream ipfs-cluster-ctl's commands and
 * global flags (reference §12.1) over `@pinmesh/client`, with text output for people and
 * `--enc json` for scripts.
 *
 * @example
 * ```sh
 * pinmesh-ctl --host /ip4/127.0.0.1/tcp/9094 pin add --rmin 2 --rmax 3 --name site bafy...
 * pinmesh-ctl --enc json status --filter pin_error | jq -n '[inputs]'
 * pinmesh-ctl health graph | dot -Tpng > cluster.png
 * ```
 */
export { run } from './cli.js'
export { COMMANDS, type Command, type Io } from './commands.js'
export { formatGraphDot, formatId, formatPin, formatStatus } from './format.js'
