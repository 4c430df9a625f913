// utmd.service gives utmd GLIBC_TUNABLES for its own malloc (glibc reads it once, as node
// starts: README "Memory"). The programs utmd runs (nft, ip, ulogd2, tcpdump, dnsmasq)
// allocate in other patterns and keep glibc's defaults: utmd drops the variable from its
// environment before it starts any of them.

/** Removes GLIBC_TUNABLES from `env` (by default this process's, which every child inherits). */
export function keepMallocTunablesToSelf(env: NodeJS.ProcessEnv = process.env): void {
  delete env['GLIBC_TUNABLES'];
}
