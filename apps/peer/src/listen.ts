/** Turns an HTTP listen multiaddress (`/ip4/127.0.0.1/tcp/9094`) into host and port. */
import { InvalidConfigError } from '@pinmesh/interface'

export function httpListenAddress(addr: string, path: string): { hostname: string; port: number } {
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)$/.exec(addr)
  if (m === null) throw new InvalidConfigError(path, `must be a multiaddress like /ip4/127.0.0.1/tcp/9094, got ${JSON.stringify(addr)}`)
  const port = Number(m[3])
  if (port > 65535) throw new InvalidConfigError(path, `port must be <= 65535, got ${port}`)
  return { hostname: m[2] as string, port }
}
