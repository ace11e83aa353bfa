/** Best-effort dialling of a pin's origins before pinning (upstream dials up to 10, fire-and-forget). */
import type { Logger } from 'pino'

export const MAX_ORIGINS = 10

export function connectOrigins(origins: string[] | undefined, connect: (addr: string) => Promise<void>, logger?: Logger): void {
  for (const addr of (origins ?? []).slice(0, MAX_ORIGINS)) {
    connect(addr).catch((err: unknown) => logger?.debug({ addr, err: (err as Error).message }, 'could not connect to pin origin'))
  }
}
