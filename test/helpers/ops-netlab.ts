/**
 * Test fixture: a small private network of Linux network namespaces, one per peer, joined by
 * veth pairs to a bridge in the host namespace (which is how the test itself reaches every peer's
 * REST API, even during a partition). `partition([[0], [1, 2]])` makes each namespace silently
 * drop (iptables DROP, both directions) every packet to and from the namespaces outside its group —
 * a real cut of the TCP connections, not a simulated one; `heal()` removes the rules.
 *
 * Needs root and `ip` + `iptables`. Names carry the creating process's PID so a later run can
 * remove what a crashed run left behind, and `destroy()` (also run on process exit) kills the
 * processes started in the namespaces and deletes namespaces and bridge.
 */
import { type ChildProcess, execFile, execFileSync, type SpawnOptions, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'

const run = promisify(execFile)
const PREFIX = 'pmops-'

export interface LabNode {
  ns: string
  ip: string
}

export interface NetLab {
  /** Prefix of the lab's host-side devices (bridge, veth ends). */
  readonly devicePrefix: string
  /** The host side's address on the bridge. */
  readonly hostIp: string
  readonly nodes: LabNode[]
  /** Starts a process inside a node's namespace. */
  spawn(node: number, command: string, args: string[], options?: SpawnOptions): ChildProcess
  /** Cuts the network between groups (indexes of `nodes`); nodes in no group are cut from all. */
  partition(groups: number[][]): Promise<void>
  heal(): Promise<void>
  destroy(): Promise<void>
}

/** Why network namespaces cannot be used here, or undefined when they can. */
export async function netLabUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not running as root'
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['iptables', ['--version']],
  ] as const) {
    try {
      await run(cmd, [...args])
    } catch {
      return `\`${cmd}\` is not installed`
    }
  }
  const probe = `${PREFIX}probe-${process.pid}`
  try {
    await run('ip', ['netns', 'add', probe])
    await run('ip', ['netns', 'exec', probe, 'iptables', '-L', '-n'])
  } catch (err) {
    return `cannot create a network namespace with iptables: ${(err as Error).message}`
  } finally {
    await run('ip', ['netns', 'del', probe]).catch(() => {})
  }
  return undefined
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function removeNamespaceSync(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {}
    }
  } catch {}
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
  } catch {}
}

/** Removes namespaces and bridges left by test processes that no longer run. */
function removeStale(): void {
  let names: string[] = []
  try {
    names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0] as string)
      .filter((n) => n.startsWith(PREFIX))
  } catch {}
  for (const ns of names) {
    const m = /^pmops-(\d+)-([0-9a-f]+)-\d+$/.exec(ns)
    if (m === null || alive(Number(m[1]))) continue
    removeNamespaceSync(ns)
    try {
      execFileSync('ip', ['link', 'del', `pmo${m[2]}`], { stdio: 'ignore' })
    } catch {}
    try {
      execFileSync('ip', ['link', 'del', `pmo${m[2]}v${ns.split('-').pop()}`], { stdio: 'ignore' })
    } catch {}
  }
}

async function freeSubnet(): Promise<string> {
  const { stdout } = await run('ip', ['-4', 'addr'])
  for (;;) {
    const b = randomBytes(2)
    const subnet = `10.${200 + ((b[0] as number) % 50)}.${b[1] as number}`
    if (!stdout.includes(` ${subnet}.`)) return subnet
  }
}

export async function createNetLab(count: number): Promise<NetLab> {
  removeStale()
  const id = randomBytes(3).toString('hex')
  const bridge = `pmo${id}`
  const subnet = await freeSubnet()
  const hostIp = `${subnet}.1`
  const nodes: LabNode[] = []
  const procs = new Set<ChildProcess>()
  let destroyed = false

  const destroySync = () => {
    if (destroyed) return
    destroyed = true
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    nodes.forEach((n, i) => {
      // The host end goes with its pair; the kernel may free a namespace's devices late otherwise.
      try {
        execFileSync('ip', ['link', 'del', `pmo${id}v${i}`], { stdio: 'ignore' })
      } catch {}
      removeNamespaceSync(n.ns)
    })
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' })
    } catch {}
  }
  process.once('exit', destroySync)

  try {
    await run('ip', ['link', 'add', bridge, 'type', 'bridge'])
    await run('ip', ['addr', 'add', `${hostIp}/24`, 'dev', bridge])
    await run('ip', ['link', 'set', bridge, 'up'])
    for (let i = 0; i < count; i++) {
      const ns = `${PREFIX}${process.pid}-${id}-${i}`
      const ip = `${subnet}.${i + 2}`
      const veth = `pmo${id}v${i}`
      await run('ip', ['netns', 'add', ns])
      nodes.push({ ns, ip })
      await run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      await run('ip', ['link', 'set', veth, 'master', bridge, 'up'])
      await run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0'])
      await run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'up'])
      await run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'])
    }
  } catch (err) {
    destroySync()
    throw err
  }

  const iptables = (node: LabNode, ...args: string[]) => run('ip', ['netns', 'exec', node.ns, 'iptables', ...args])

  const lab: NetLab = {
    devicePrefix: bridge,
    hostIp,
    nodes,
    spawn(node, command, args, options = {}) {
      const target = nodes[node]
      if (target === undefined) throw new Error(`no node ${node}`)
      const p = spawn('ip', ['netns', 'exec', target.ns, command, ...args], options)
      procs.add(p)
      p.once('exit', () => procs.delete(p))
      return p
    },
    async partition(groups) {
      await lab.heal()
      const groupOf = (i: number) => groups.findIndex((g) => g.includes(i))
      for (let i = 0; i < nodes.length; i++) {
        for (let j = 0; j < nodes.length; j++) {
          if (i === j || (groupOf(i) !== -1 && groupOf(i) === groupOf(j))) continue
          const me = nodes[i] as LabNode
          const other = nodes[j] as LabNode
          await iptables(me, '-A', 'INPUT', '-s', other.ip, '-j', 'DROP')
          await iptables(me, '-A', 'OUTPUT', '-d', other.ip, '-j', 'DROP')
        }
      }
    },
    async heal() {
      for (const n of nodes) {
        await iptables(n, '-F', 'INPUT')
        await iptables(n, '-F', 'OUTPUT')
      }
    },
    async destroy() {
      const waits = [...procs].map((p) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r()))))
      destroySync()
      await Promise.all(waits)
      process.off('exit', destroySync)
    },
  }
  return lab
}
