/**
 * Reading pins for `state import`: every top-level JSON value of the input must decode as a Pin
 * (upstream's export line; absent fields take defaults, see `decodePin`), then the operator's
 * overrides apply. Every error names the line where the offending value starts.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { decodePin, InvalidArgumentError, type Pin, parseJson } from '@pinmesh/interface'
import { InputLineError, type JsonValueText } from './json-values.js'

/** `--rmin`, `--rmax`, `--allocations` of `state import` (reference §11). */
export interface ImportOverrides {
  /** Replaces `replication_factor_min` when > 0. */
  rmin?: number
  /** Replaces `replication_factor_max` when > 0. */
  rmax?: number
  /** Replaces `allocations` when non-empty. */
  allocations?: string[]
}

/** Validates the override flags once, before any input is read. */
export function parseOverrides(flags: { rmin?: string; rmax?: string; allocations?: string }): ImportOverrides {
  const out: ImportOverrides = {}
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined
    if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`must be an integer, got ${JSON.stringify(v)}`, `--${name}`)
    return Number(v)
  }
  const rmin = int('rmin', flags.rmin)
  const rmax = int('rmax', flags.rmax)
  if (rmin !== undefined && rmin > 0) out.rmin = rmin
  if (rmax !== undefined && rmax > 0) out.rmax = rmax
  if (out.rmin !== undefined && out.rmax !== undefined && out.rmin > out.rmax) {
    throw new InvalidArgumentError(`--rmin ${out.rmin} is larger than --rmax ${out.rmax}`)
  }
  if (flags.allocations !== undefined) {
    const peers = flags.allocations
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')
    for (const p of peers) {
      try {
        peerIdFromString(p)
      } catch {
        throw new InvalidArgumentError(`${JSON.stringify(p)} is not a peer ID`, '--allocations')
      }
    }
    if (peers.length > 0) out.allocations = peers
  }
  return out
}

/** Decodes one input value into the Pin to store, or throws `InputLineError`. */
export function pinFromValue(value: JsonValueText, overrides: ImportOverrides): Pin {
  let parsed: unknown
  try {
    parsed = parseJson(value.text)
  } catch (err) {
    throw new InputLineError(value.line, `malformed JSON: ${(err as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`
    throw new InputLineError(value.line, `expected a Pin JSON object, got ${kind}`)
  }
  let pin: Pin
  try {
    pin = decodePin(parsed)
  } catch (err) {
    throw new InputLineError(value.line, `invalid pin: ${(err as Error).message}`)
  }
  if (overrides.rmin !== undefined) pin.replication_factor_min = overrides.rmin
  if (overrides.rmax !== undefined) pin.replication_factor_max = overrides.rmax
  if (overrides.allocations !== undefined) pin.allocations = [...overrides.allocations]
  return pin
}
