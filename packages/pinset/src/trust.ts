/** `trusted_peers`: `*` trusts every peer; otherwise only the listed peer IDs. */
export function createTrust(trusted: string[]): (peer: string) => boolean {
  if (trusted.includes('*')) return () => true
  const set = new Set(trusted)
  return (peer) => set.has(peer)
}
