import type { Clock, Runtime, corev1 } from '@tugboat/core';

import { execProbe } from './execProbe.js';
import { httpProbe } from './httpProbe.js';
import type { ProbeOutcome } from './ProbeOutcome.js';
import { probeSettings } from './probeSettings.js';
import { resolvePort } from './resolvePort.js';
import { tcpProbe } from './tcpProbe.js';

/** What a probe is run against. */
export interface ProbeTarget {
  readonly probe: corev1.Probe;
  /** The container's spec (for named ports). */
  readonly container: corev1.Container;
  /** The running instance (for exec). */
  readonly containerId: string;
  /** Default host of httpGet and tcpSocket. */
  readonly podIp: string | undefined;
}

/**
 * Runs one probe attempt with its handler (exec, httpGet, tcpSocket; grpc is answered as an
 * unsupported failure). Never throws: a probe that cannot be run is an `error` outcome saying why.
 * Aborting `signal` ends a network probe at once (an exec runs to its deadline).
 */
export async function runProbe(
  target: ProbeTarget,
  runtime: Runtime,
  clock: Clock,
  signal?: AbortSignal,
): Promise<ProbeOutcome> {
  const { probe, container } = target;
  const { timeoutMs } = probeSettings(probe);
  try {
    if (probe.exec)
      return await execProbe(runtime, clock, target.containerId, probe.exec.command ?? [], timeoutMs);
    if (probe.httpGet) {
      const get = probe.httpGet;
      const host = get.host || target.podIp;
      if (!host) return { result: 'error', output: 'the pod has no IP address to probe' };
      const port = resolvePort(get.port, container);
      const scheme = (get.scheme ?? 'HTTP').toLowerCase();
      if (scheme !== 'http' && scheme !== 'https')
        return { result: 'error', output: `unsupported scheme "${get.scheme ?? ''}"` };
      const hostPart = host.includes(':') ? `[${host}]` : host;
      const path = get.path ?? '/';
      const url = new URL(path.startsWith('/') ? path : `/${path}`, `${scheme}://${hostPart}:${port}`);
      return await httpProbe({ url, headers: get.httpHeaders ?? [], timeoutMs }, clock, signal);
    }
    if (probe.tcpSocket) {
      const host = probe.tcpSocket.host || target.podIp;
      if (!host) return { result: 'error', output: 'the pod has no IP address to probe' };
      return await tcpProbe(host, resolvePort(probe.tcpSocket.port, container), timeoutMs, clock, signal);
    }
    if (probe.grpc) return { result: 'failure', output: 'grpc probes are not supported' };
    return { result: 'error', output: `missing probe handler for container "${container.name}"` };
  } catch (err) {
    return { result: 'error', output: err instanceof Error ? err.message : String(err) };
  }
}
