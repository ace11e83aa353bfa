/**
 * `pinmesh state export | import | cleanup` as an operator runs them: real CLI processes on a
 * real LevelDB state folder, upstream's export lines and its lenient sharness fixture, malformed
 * input, overrides, confirmations, a running daemon holding the folder, and a progress bar on a
 * real pseudo-terminal.
 */
import { spawn } from 'node:child_process'
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodePin, encodePin, parseJson, stringifyJson } from '@pinmesh/interface'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPinmesh } from '../helpers/ops-cli.js'
import { PEER_BIN, startPeer, tempDir } from '../helpers/peer.js'

const PEER_A = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const PEER_B = '12D3KooWKnSVzCtZLcBKzNQxhbzhj4a2GvMrh1MjxSqqLo4NXG5V'

/** The upstream export line of reference §11, byte for byte. */
const UPSTREAM_LINE =
  '{"replication_factor_min":-1,"replication_factor_max":-1,"name":"","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":null,"pin_update":null,"origins":[],"cid":"QmbrCtydGyPeHiLURSPMqrvE5mCgMCwFYq3UD4XLCeAYw6","type":"pin","allocations":[],"max_depth":-1,"reference":null,"timestamp":"2026-05-11T10:17:41+02:00"}'

/** Upstream sharness `importState` fixture: pretty-printed, most fields missing (reference §11). */
const LENIENT_FIXTURE = `{
  "cid": "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
  "name": "",
  "allocations": [],
  "replication_factor_min": -1,
  "replication_factor_max": -1
}
`

/** The Pin example of reference §1.10.3, pretty-printed. */
const REST_PIN = `{
  "replication_factor_min": 2,
  "replication_factor_max": 3,
  "name": "website-v2",
  "mode": "recursive",
  "shard_size": 0,
  "user_allocations": null,
  "expire_at": "0001-01-01T00:00:00Z",
  "metadata": {"kind": "text"},
  "pin_update": null,
  "origins": [],
  "cid": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
  "type": "pin",
  "allocations": [
    "${PEER_A}",
    "${PEER_B}"
  ],
  "max_depth": -1,
  "reference": null,
  "timestamp": "2026-05-11T10:17:41+02:00"
}`

async function cidOf(text: string, v0 = false): Promise<string> {
  const digest = await sha256.digest(new TextEncoder().encode(text))
  return (v0 ? CID.createV0(digest) : CID.createV1(raw.code, digest)).toString()
}

/** `n` varied pins as canonical export lines. */
async function exportLines(n: number, seed: string): Promise<string[]> {
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const pin = decodePin({
      cid: await cidOf(`${seed}-${i}`, i % 3 === 0),
      name: i % 5 === 0 ? `name ${i} — ünïcødé "quoted" {braces}` : '',
      replication_factor_min: i % 2 === 0 ? -1 : 1,
      replication_factor_max: i % 2 === 0 ? -1 : 2,
      mode: i % 7 === 0 ? 'direct' : 'recursive',
      max_depth: i % 7 === 0 ? 0 : -1,
      metadata: i % 4 === 0 ? { kind: 'k', n: String(i) } : null,
      allocations: i % 2 === 0 ? [] : [PEER_A],
      expire_at: i % 11 === 0 ? '2030-01-01T00:00:00Z' : '0001-01-01T00:00:00Z',
      type: 'pin',
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString().replace('.000', ''),
    })
    lines.push(stringifyJson(encodePin(pin)))
  }
  return lines
}

const sorted = (text: string) => text.trim().split('\n').filter(Boolean).sort()

async function exportText(dir: string): Promise<string> {
  const r = await runPinmesh(['-c', dir, 'state', 'export'])
  expect(r.code, r.stderr).toBe(0)
  return r.stdout
}

/** Staging, replaced or journal files an import or cleanup left behind. */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('pinset.') || n.startsWith('.'))
}

describe('pinmesh state (real CLI, real LevelDB)', () => {
  let work: string

  beforeAll(async () => {
    work = await tempDir('pinmesh-ops-state-')
  })

  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  it('imports upstream export lines, the lenient sharness fixture and pretty-printed pins', async () => {
    const dir = join(work, 'upstream')
    const file = join(work, 'upstream.json')
    await writeFile(file, `${UPSTREAM_LINE}\n${LENIENT_FIXTURE}${REST_PIN}\n`)
    const r = await runPinmesh(['-c', dir, 'state', 'import', '--force', file])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('imported 3 pins')

    const lines = sorted(await exportText(dir))
    expect(lines).toHaveLength(3)
    // Upstream's own line comes back byte for byte.
    expect(lines).toContain(UPSTREAM_LINE)
    // Missing fields take defaults: type pin, recursive, zero times (reference §11, our choice).
    expect(lines).toContain(
      '{"replication_factor_min":-1,"replication_factor_max":-1,"name":"","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":null,"pin_update":null,"origins":[],"cid":"bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi","type":"pin","allocations":[],"max_depth":-1,"reference":null,"timestamp":"0001-01-01T00:00:00Z"}',
    )
    expect(lines).toContain(JSON.stringify(JSON.parse(REST_PIN)))
    expect(await leftovers(dir)).toEqual([])
  })

  it('export → cleanup → import is a no-op: the same export bytes', async () => {
    const dir = join(work, 'roundtrip')
    const source = join(work, 'roundtrip-source.ndjson')
    const lines = await exportLines(1000, 'roundtrip')
    await writeFile(source, `${lines.join('\n')}\n`)
    expect((await runPinmesh(['-c', dir, 'state', 'import', '-f', source])).code).toBe(0)

    const a = join(work, 'roundtrip-a.ndjson')
    const exported = await runPinmesh(['-c', dir, 'state', 'export', '-f', a])
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stderr).toContain(`exported 1000 pins to ${a}`)
    const first = await readFile(a, 'utf8')
    expect(sorted(first)).toEqual([...lines].sort())

    const cleaned = await runPinmesh(['-c', dir, 'state', 'cleanup', '--force'])
    expect(cleaned.code, cleaned.stderr).toBe(0)
    expect(await exportText(dir)).toBe('')

    expect((await runPinmesh(['-c', dir, 'state', 'import', '--force', a])).code).toBe(0)
    expect(await exportText(dir)).toBe(first)
    expect(await leftovers(dir)).toEqual([])
  })

  it('rejects malformed input naming the line, and imports nothing', async () => {
    const dir = join(work, 'malformed')
    const before = await exportLines(20, 'before')
    const seedFile = join(work, 'malformed-seed.ndjson')
    await writeFile(seedFile, before.join('\n'))
    expect((await runPinmesh(['-c', dir, 'state', 'import', '-f', seedFile])).code).toBe(0)
    const baseline = await exportText(dir)

    const good = await exportLines(500, 'after')
    const cases: Array<{ bad: string; message: RegExp }> = [
      { bad: '{"cid":"QmNotACid","name":"x"}', message: /line 401: invalid pin: cid: error decoding Cid/ },
      { bad: '{"cid": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "name": }', message: /line 401: malformed JSON/ },
      {
        bad: '{"cid":"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku","replication_factor_min":"2"}',
        message: /line 401: invalid pin: replication_factor_min: expected an integer/,
      },
      { bad: '["not","a","pin"]', message: /line 401: expected a Pin JSON object, got an array/ },
      { bad: '{"cid":"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",', message: /line 401: unexpected end of input/ },
    ]
    for (const { bad, message } of cases) {
      const file = join(work, 'malformed.ndjson')
      await writeFile(file, `${[...good.slice(0, 400), bad, ...good.slice(400)].join('\n')}\n`)
      const r = await runPinmesh(['-c', dir, 'state', 'import', '--force', file])
      expect(r.code, `${bad} was accepted:\n${r.stderr}`).toBe(1)
      expect(r.stderr).toMatch(message)
    }
    // Nothing half-imported: the state is what it was, no staging folder is left behind.
    expect(await exportText(dir)).toBe(baseline)
    expect(await leftovers(dir)).toEqual([])
  })

  it('applies --rmin, --rmax and --allocations to every pin, and rejects bad overrides', async () => {
    const dir = join(work, 'overrides')
    const file = join(work, 'overrides.ndjson')
    await writeFile(file, `${UPSTREAM_LINE}\n${LENIENT_FIXTURE}`)
    const r = await runPinmesh(['-c', dir, 'state', 'import', '-f', '--rmin', '2', '--rmax', '3', '--allocations', `${PEER_A},${PEER_B}`, file])
    expect(r.code, r.stderr).toBe(0)
    const pins = sorted(await exportText(dir)).map((l) => decodePin(parseJson(l)))
    expect(pins).toHaveLength(2)
    for (const pin of pins) {
      expect(pin.replication_factor_min).toBe(2)
      expect(pin.replication_factor_max).toBe(3)
      expect(pin.allocations).toEqual([PEER_A, PEER_B])
    }
    // Zero or negative overrides keep the file's values (upstream: only > 0 replaces).
    const keep = await runPinmesh(['-c', dir, 'state', 'import', '-f', '--rmin', '0', '--rmax=-1', file])
    expect(keep.code, keep.stderr).toBe(0)
    expect(sorted(await exportText(dir))).toContain(UPSTREAM_LINE)

    const baseline = await exportText(dir)
    const bad: Array<[string[], RegExp]> = [
      [['--rmin', 'two'], /--rmin: must be an integer, got "two"/],
      [['--rmin', '4', '--rmax', '3'], /--rmin 4 is larger than --rmax 3/],
      [['--allocations', `${PEER_A},not-a-peer`], /--allocations: "not-a-peer" is not a peer ID/],
    ]
    for (const [flags, message] of bad) {
      const res = await runPinmesh(['-c', dir, 'state', 'import', '-f', ...flags, file])
      expect(res.code).toBe(1)
      expect(res.stderr).toMatch(message)
    }
    expect(await exportText(dir)).toBe(baseline)
  })

  it('asks for confirmation unless --force, and refuses without an answer', async () => {
    const dir = join(work, 'confirm')
    const file = join(work, 'confirm.ndjson')
    await writeFile(file, `${UPSTREAM_LINE}\n`)

    const noStdin = await runPinmesh(['-c', dir, 'state', 'import', file])
    expect(noStdin.code).toBe(1)
    expect(noStdin.stderr).toContain('The pinset (state) of this peer will be replaced. Continue? [y/n]:')
    expect(noStdin.stderr).toMatch(/no answer on stdin .*pass --force/)
    expect(await exportText(dir)).toBe('')

    const no = await runPinmesh(['-c', dir, 'state', 'import', file], { input: 'n\n' })
    expect(no.code).toBe(1)
    expect(no.stderr).toContain('aborted: not confirmed')
    expect(await exportText(dir)).toBe('')

    const yes = await runPinmesh(['-c', dir, 'state', 'import', file], { input: 'y\n' })
    expect(yes.code, yes.stderr).toBe(0)
    expect(await exportText(dir)).toBe(`${UPSTREAM_LINE}\n`)

    // Pins on stdin: stdin cannot carry the answer too.
    const piped = await runPinmesh(['-c', dir, 'state', 'import'], { input: LENIENT_FIXTURE })
    expect(piped.code).toBe(1)
    expect(piped.stderr).toMatch(/pins are read from stdin.*pass --force/)
    const forced = await runPinmesh(['-c', dir, 'state', 'import', '--force', '-'], { input: `${LENIENT_FIXTURE}\n${REST_PIN}` })
    expect(forced.code, forced.stderr).toBe(0)
    expect(sorted(await exportText(dir))).toHaveLength(2)

    const cleanupRefused = await runPinmesh(['-c', dir, 'state', 'cleanup'])
    expect(cleanupRefused.code).toBe(1)
    expect(cleanupRefused.stderr).toContain('The peer state will be removed.  Existing pins may be lost. Continue? [y/n]:')
    expect(sorted(await exportText(dir))).toHaveLength(2)
    const cleanupYes = await runPinmesh(['-c', dir, 'state', 'cleanup'], { input: 'yes\n' })
    expect(cleanupYes.code, cleanupYes.stderr).toBe(0)
    expect(await exportText(dir)).toBe('')
  })

  it('refuses every state command while a daemon runs on the folder; exports what the daemon stored', async () => {
    const dir = join(work, 'daemon')
    const peer = await startPeer({ dir })
    try {
      const cids = [await cidOf('daemon-1'), await cidOf('daemon-2')]
      for (const cid of cids) {
        const res = await fetch(`${peer.api}/pins/${cid}?name=from-rest`, { method: 'POST' })
        expect(res.status).toBe(200)
      }
      const file = join(work, 'daemon.ndjson')
      await writeFile(file, `${UPSTREAM_LINE}\n`)
      for (const args of [['export'], ['import', '-f', file], ['cleanup', '-f']]) {
        const r = await runPinmesh(['-c', dir, 'state', ...args])
        expect(r.code, `state ${args.join(' ')} ran beside a daemon`).toBe(1)
        expect(r.stderr).toMatch(/another pinmesh daemon \(pid \d+\) is already using .*stop it first/)
      }
      expect((await fetch(`${peer.api}/health`)).status).toBe(204)
      expect(await peer.stop()).toBe(0)

      const pins = sorted(await exportText(dir)).map((l) => decodePin(parseJson(l)))
      expect(pins.map((p) => p.cid).sort()).toEqual([...cids].sort())
      expect(pins.every((p) => p.name === 'from-rest')).toBe(true)
      const saved = join(work, 'daemon-export.ndjson')
      expect((await runPinmesh(['-c', dir, 'state', 'export', '-f', saved])).code).toBe(0)
      expect((await runPinmesh(['-c', dir, 'state', 'cleanup', '-f'])).code).toBe(0)
      expect((await runPinmesh(['-c', dir, 'state', 'import', '-f', saved])).code).toBe(0)

      // The restarted daemon serves the imported pins.
      await peer.restart()
      const listed = (await (await fetch(`${peer.api}/pins`)).text()).trim().split('\n')
      expect(listed.map((l) => (parseJson(l) as { cid: string }).cid).sort()).toEqual([...cids].sort())
    } finally {
      await peer.kill()
    }
  })

  it('names a corrupt state and what to do; cleanup and import still replace it', async () => {
    const dir = join(work, 'corrupt')
    const file = join(work, 'corrupt.ndjson')
    await writeFile(file, `${UPSTREAM_LINE}\n`)
    expect((await runPinmesh(['-c', dir, 'state', 'import', '-f', file])).code).toBe(0)
    const pinsetDir = join(dir, 'pinset')
    for (const name of await readdir(pinsetDir)) {
      if (/\.(ldb|log)$/.test(name) || name.startsWith('MANIFEST')) await writeFile(join(pinsetDir, name), Buffer.alloc(4096, 0xa5))
    }
    const broken = await runPinmesh(['-c', dir, 'state', 'export'])
    expect(broken.code).toBe(1)
    expect(broken.stdout).toBe('')
    expect(broken.stderr).toContain(`the state in ${pinsetDir} is corrupt`)
    expect(broken.stderr).toMatch(/pinmesh state import.*pinmesh state cleanup/)

    expect((await runPinmesh(['-c', dir, 'state', 'import', '-f', file])).code).toBe(0)
    expect(await exportText(dir)).toBe(`${UPSTREAM_LINE}\n`)
    for (const name of await readdir(pinsetDir)) {
      if (/\.(ldb|log)$/.test(name) || name.startsWith('MANIFEST')) await writeFile(join(pinsetDir, name), Buffer.alloc(4096, 0xa5))
    }
    const cleaned = await runPinmesh(['-c', dir, 'state', 'cleanup', '-f'])
    expect(cleaned.code, cleaned.stderr).toBe(0)
    expect(await exportText(dir)).toBe('')
  })

  it('finishes an import interrupted between its renames (journal), before or after the first one', async () => {
    const other = join(work, 'swap-source')
    const second = join(work, 'swap-second.ndjson')
    await writeFile(second, `${LENIENT_FIXTURE}\n${REST_PIN}`)
    for (const crashedAfterFirstRename of [false, true]) {
      const dir = join(work, `swap-${crashedAfterFirstRename}`)
      const first = join(work, 'swap-first.ndjson')
      await writeFile(first, `${UPSTREAM_LINE}\n`)
      expect((await runPinmesh(['-c', dir, 'state', 'import', '-f', first])).code).toBe(0)
      await rm(other, { recursive: true, force: true })
      expect((await runPinmesh(['-c', other, 'state', 'import', '-f', second])).code).toBe(0)
      const expected = await exportText(other)
      // What an import leaves when it dies between writing its journal and the last rename.
      const staging = join(dir, 'pinset.import-crashed')
      const replaced = join(dir, 'pinset.replaced-crashed')
      await rename(join(other, 'pinset'), staging)
      if (crashedAfterFirstRename) await rename(join(dir, 'pinset'), replaced)
      await writeFile(join(dir, 'pinset.swap.json'), JSON.stringify({ staging, replaced }))
      expect(await exportText(dir)).toBe(expected)
      expect(await leftovers(dir)).toEqual([])
    }
  })

  it('draws a progress bar on a terminal (stderr), not in pipes', async () => {
    const dir = join(work, 'progress')
    const file = join(work, 'progress.ndjson')
    await writeFile(file, `${(await exportLines(300, 'progress')).join('\n')}\n`)
    const quiet = await runPinmesh(['-c', dir, 'state', 'import', '-f', file])
    expect(quiet.code).toBe(0)
    expect(quiet.stderr).not.toContain('[')

    // `script` gives the command a real pseudo-terminal.
    const out = join(work, 'progress-out.ndjson')
    const tty = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const cmd = `${process.execPath} ${PEER_BIN} -c ${dir} state export -f ${out}`
      const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] })
      let output = ''
      p.stdout.on('data', (d: Buffer) => {
        output += d.toString()
      })
      p.once('close', (code) => resolve({ code, output }))
    })
    expect(tty.code, tty.output).toBe(0)
    expect(tty.output).toMatch(/exporting \[#{24}\] 100% 300\/300 pins/)
    expect(sorted(await readFile(out, 'utf8'))).toHaveLength(300)
  })
})
