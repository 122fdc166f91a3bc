import type { corev1 } from '@tugboat/core';

/** The Services upstream always gives every pod variables for (`default/kubernetes`). */
const masterServices = new Set(['kubernetes']);

function isServiceIpSet(service: corev1.Service): boolean {
  const ip = service.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/**
 * The service environment of a pod in `namespace`, as the kubelet's `getServiceEnvVarMap`: every
 * Service with a cluster IP in the namespace when `enableServiceLinks`, and `default/kubernetes`
 * always (a Service of the pod's namespace with that name wins over it). Names are in the order
 * upstream's `FromServices` writes them, Services sorted by name.
 */
export function serviceEnv(
  services: readonly corev1.Service[],
  namespace: string,
  enableServiceLinks: boolean,
): Map<string, string> {
  const chosen = new Map<string, corev1.Service>();
  for (const service of services) {
    if (!isServiceIpSet(service)) continue;
    const name = service.metadata?.name ?? '';
    const ns = service.metadata?.namespace ?? '';
    if (ns === 'default' && masterServices.has(name)) {
      if (!chosen.has(name)) chosen.set(name, service);
    } else if (ns === namespace && enableServiceLinks) {
      chosen.set(name, service);
    }
  }
  const env = new Map<string, string>();
  for (const name of [...chosen.keys()].sort()) {
    const service = chosen.get(name);
    if (service !== undefined) for (const [k, v] of serviceVars(service)) env.set(k, v);
  }
  return env;
}

/** Upstream's `makeEnvVariableName`: uppercased, `-` → `_`. */
function envName(name: string): string {
  return name.replaceAll('-', '_').toUpperCase();
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables of one Service, as upstream's `envvars.FromServices` and `makeLinkVariables`. */
function serviceVars(service: corev1.Service): [string, string][] {
  const prefix = envName(service.metadata?.name ?? '');
  const ip = service.spec?.clusterIP ?? '';
  const ports = service.spec?.ports ?? [];
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip]];
  const first = ports[0];
  // Validation requires a port on a Service with a cluster IP; one without gets only the host.
  if (first === undefined) return out;
  out.push([`${prefix}_SERVICE_PORT`, String(first.port)]);
  for (const p of ports) {
    if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  }
  ports.forEach((p, i) => {
    const protocol = p.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`;
    // Docker's links special-case the first port.
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
    out.push(
      [portPrefix, url],
      [`${portPrefix}_PROTO`, protocol.toLowerCase()],
      [`${portPrefix}_PORT`, String(p.port)],
      [`${portPrefix}_ADDR`, ip],
    );
  });
  return out;
}
