/** Go's wording of a failed dial, which is what users search for when an event shows it. */
const dialErrors: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
};

/**
 * Describes a socket error the way upstream's probes do (`dial tcp 10.88.0.5:8080: connect:
 * connection refused`), falling back to Node's message for anything else.
 */
export function netErrorMessage(err: unknown, hostPort: string, host: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const dial = dialErrors[code];
    if (dial !== undefined) return `dial tcp ${hostPort}: ${dial}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${host}: no such host`;
    if (code === 'ECONNRESET') return 'read: connection reset by peer';
  }
  return err instanceof Error ? err.message : String(err);
}

/** `host:port`, with brackets around an IPv6 address. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
