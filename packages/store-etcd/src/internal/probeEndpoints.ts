import { ApiError, type Logger } from '@tugboat/core';

import type { EtcdStoreOptions } from '../EtcdStoreOptions.js';
import { buildClient } from './client.js';

/**
 * Checks every endpoint with a status call on its own connection, so a wrong address, a dead member
 * or a TLS mismatch is reported by name. Succeeds if at least one endpoint answers (the others are
 * logged); fails with one `Unavailable` error listing each endpoint's problem otherwise.
 */
export async function probeEndpoints(
  options: EtcdStoreOptions,
  dialTimeoutMs: number,
  logger: Logger,
): Promise<void> {
  const scheme = options.tls ? 'etcds' : 'etcd';
  const results = await Promise.all(
    options.endpoints.map(async (endpoint) => {
      const client = buildClient(options, [endpoint], dialTimeoutMs);
      try {
        await client.maintenance.status();
        return undefined;
      } catch (err) {
        return `${scheme}://${endpoint}: ${explain(err)}`;
      } finally {
        client.close();
      }
    }),
  );
  const failures = results.filter((r): r is string => r !== undefined);
  if (failures.length === options.endpoints.length) {
    throw new ApiError('Unavailable', `cannot reach etcd: ${failures.join('; ')}`);
  }
  for (const failure of failures) logger.warn('etcd endpoint unreachable at start', { endpoint: failure });
}

function explain(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/SSL|TLS|certificate|handshake|WRONG_VERSION_NUMBER/i.test(message))
    return `TLS handshake failed (${short(message)})`;
  if (/ECONNREFUSED/.test(message)) return 'connection refused (is etcd running there?)';
  if (/DEADLINE_EXCEEDED|Deadline exceeded/i.test(message)) return 'no answer before the dial timeout';
  if (/Name resolution failed|ENOTFOUND|EAI_AGAIN/.test(message)) return 'host name does not resolve';
  return short(message);
}

function short(message: string): string {
  return message
    .replace(/^\w*Error: /, '')
    .replace(/^\d+ [A-Z_]+: /, '')
    .replace(/No connection established\. Last error: (Error: )?/, '')
    .replace(/\.? ?Resolution note: ?$/, '');
}
