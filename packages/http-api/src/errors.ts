/** The one place where errors become HTTP responses: `{code, message}` with the error's status. */
import { PinmeshError } from '@pinmesh/interface'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'

/** A request the API refuses with a given status (bad body, oversized body, ...). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export function errorStatus(err: unknown): number {
  if (err instanceof PinmeshError || err instanceof HttpError) return err.status
  if (err instanceof HTTPException) return err.status
  if (err instanceof SyntaxError) return 400
  if (err instanceof Error && err.message === 'pin is not part of the pinset') return 404
  return 500
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** `{code, message}` with the status the error maps to. */
export function errorResponse(c: Context, err: unknown): Response {
  const code = errorStatus(err)
  return c.json({ code, message: errorMessage(err) }, code as 400)
}

/** `{code, message}` with an explicit status. */
export function apiError(c: Context, code: number, message: string): Response {
  return c.json({ code, message }, code as 400)
}
