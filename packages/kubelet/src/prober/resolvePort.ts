import { ApiError, type corev1 } from '@tugboat/core';

/**
 * Resolves a probe's port (a number, a container port's name, or a number written as a string) to
 * a port number. Throws an `Invalid` {@link ApiError} saying why when it cannot, which the prober
 * reports as a probe error rather than letting it escape.
 */
export function resolvePort(port: number | string | undefined, container: corev1.Container): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else if (typeof port === 'string' && port !== '') {
    const named = container.ports?.find((p) => p.name === port);
    if (named !== undefined) n = named.containerPort;
    else if (/^\d+$/.test(port)) n = Number(port);
    else throw new ApiError('Invalid', `port "${port}" not found in container "${container.name}"`);
  } else {
    throw new ApiError('Invalid', `probe of container "${container.name}" has no port`);
  }
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ApiError('Invalid', `invalid port number: ${n}`);
  return n;
}
