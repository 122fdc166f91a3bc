/** One media range of an Accept header, with its parameters. */
interface MediaRange {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [type = '', ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  });
}

/**
 * The Table version the client asks for (`application/json;as=Table;g=meta.k8s.io;v=v1`), or
 * undefined when it wants plain objects. The first acceptable range wins, as upstream negotiates.
 */
export function tableVersion(
  accept: string | undefined,
): 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' | undefined {
  for (const range of parseAccept(accept)) {
    if (range.params['as'] === 'Table' && range.params['g'] === 'meta.k8s.io') {
      if (range.params['v'] === 'v1') return 'meta.k8s.io/v1';
      if (range.params['v'] === 'v1beta1') return 'meta.k8s.io/v1beta1';
      continue;
    }
    if (range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*')
      return undefined;
  }
  return undefined;
}

/** Whether the client prefers aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList). */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  for (const range of parseAccept(accept)) {
    if (range.params['as'] === 'APIGroupDiscoveryList') {
      if (range.params['g'] === 'apidiscovery.k8s.io' && range.params['v'] === 'v2') return true;
      continue;
    }
    if (range.type === 'application/json' || range.type === '*/*') return false;
  }
  return false;
}
