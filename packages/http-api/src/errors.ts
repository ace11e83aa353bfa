/** The one place where errors become HTTP responses: `{code, message}` with the error's status. */
import { PinmeshError } from '@pinmesh/interface'
import type { Context } from 'hono'

export function errorStatus(err: unknown): number {
  if (err instanceof PinmeshError) return err.status
  if (err instanceof SyntaxError) return 400
  return 500
}

export function errorResponse(c: Context, err: unknown): Response {
  const code = errorStatus(err)
  const message = err instanceof Error ? err.message : String(err)
  return c.json({ code, message }, code as 400)
}
