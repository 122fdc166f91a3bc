import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls etcd's `/health` until it reports healthy (it has a leader and serves reads). Fails with the
 * last problem seen when `timeoutMs` passes or `gaveUp()` says the server is gone.
 */
export async function waitForEtcdHealth(
  baseUrl: string,
  timeoutMs: number,
  gaveUp: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(`etcd at ${baseUrl} exited before becoming healthy`);
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      if (res.ok && /"health":\s*"true"/.test(body)) return;
      last = `HTTP ${res.status} ${body.trim()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await delay(50);
  }
  throw new Error(`etcd at ${baseUrl} not healthy within ${timeoutMs} ms: ${last}`);
}
