/** Starts benchmark peers (replica.ts) as child processes and talks to them line by line. */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface Peer {
  id: string
  addrs: string[]
  ready: Record<string, unknown>
  send(cmd: Record<string, unknown>): void
  next(event: string, timeoutMs?: number): Promise<Record<string, unknown>>
  proc: ChildProcess
}

export async function startPeer(opts: { dir: string; cluster: string; batchAge: number; shards?: number }): Promise<Peer> {
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []
  const proc = spawn(
    process.execPath,
    [...prof, '--max-old-space-size=8192', '--import', 'tsx', new URL('./replica.ts', import.meta.url).pathname, JSON.stringify(opts)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const queue: Array<Record<string, unknown>> = []
  const waiters: Array<() => void> = []
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (process.env.BENCH_TRACE) process.stderr.write(`${proc.pid} ${line.slice(0, 200)}\n`)
    try {
      queue.push(JSON.parse(line))
    } catch {
      return
    }
    for (const w of waiters.splice(0)) w()
  })
  const next = async (event: string, timeoutMs = 600_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = queue.findIndex((e) => e.event === event)
      if (i >= 0) return queue.splice(i, 1)[0] as Record<string, unknown>
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${event}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 1000)
      })
    }
  }
  const ready = await next('ready', 300_000)
  return {
    id: ready.id as string,
    addrs: ready.addrs as string[],
    ready,
    proc,
    next,
    send: (cmd) => proc.stdin?.write(`${JSON.stringify(cmd)}\n`),
  }
}

export async function stopAll(peers: Peer[]): Promise<void> {
  for (const p of peers) p.send({ cmd: 'stop' })
  await Promise.all(peers.map((p) => p.next('stopped', 60_000).catch(() => p.proc.kill('SIGKILL'))))
}
