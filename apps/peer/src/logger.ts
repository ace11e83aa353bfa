/** Structured logs through pino; pretty on a terminal, JSON lines otherwise. */
import { type Logger, pino } from 'pino'

export function createLogger(level = process.env.PINMESH_LOG_LEVEL ?? 'info'): Logger {
  if (process.stderr.isTTY && process.env.PINMESH_LOG_FORMAT !== 'json') {
    return pino({ level, transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:standard' } } })
  }
  return pino({ level }, pino.destination(2))
}
