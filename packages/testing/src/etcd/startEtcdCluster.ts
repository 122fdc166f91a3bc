import { mkdtemp, rm } from 'node:fs/promises';

import path from 'node:path';

import { EtcdProcess } from './EtcdProcess.js';
import { freePorts } from './freePorts.js';
import { tempRoot } from './tempRoot.js';

/** A running multi-member etcd cluster on loopback ports (process mode). */
export interface EtcdCluster {
  /** The members, each stoppable, killable and restartable on its own. */
  readonly members: readonly EtcdProcess[];
  /** All client endpoints, comma-separated (`127.0.0.1:p1,127.0.0.1:p2,…`). */
  readonly endpoints: string;
  /** `etcd://` URL naming every member. */
  readonly url: string;
  /** The index of the current leader among running members; polls until one is elected. */
  leader(timeoutMs?: number): Promise<number>;
  /** Stops every member and deletes all data. */
  stop(): Promise<void>;
}

/**
 * Starts an etcd cluster of `size` members (default 3) on free loopback ports, each in its own
 * temporary data directory, and waits until every member is healthy.
 */
export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const dir = await mkdtemp(path.join(tempRoot(), 'tug-etcd-cluster-'));
  const ports = await freePorts(size * 2);
  const port = (i: number): number => ports[i] ?? 0;
  const names = Array.from({ length: size }, (_, i) => `etcd${i}`);
  const initialCluster = names.map((n, i) => `${n}=http://127.0.0.1:${port(i * 2 + 1)}`).join(',');
  const members = names.map(
    (name, i) =>
      new EtcdProcess({
        name,
        clientPort: port(i * 2),
        peerPort: port(i * 2 + 1),
        dataDir: path.join(dir, name),
        initialCluster,
        clusterToken: path.basename(dir),
      }),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Members wait for each other to form a quorum, so all start before any is awaited.
    await Promise.all(members.map((m) => m.start(false)));
    await Promise.all(members.map((m) => m.waitHealthy()));
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoints = members.map((m) => m.endpoint).join(',');
  return {
    members,
    endpoints,
    url: `etcd://${endpoints}`,
    leader: (timeoutMs = 30_000) => findLeader(members, timeoutMs),
    stop,
  };
}

async function findLeader(members: readonly EtcdProcess[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const [i, m] of members.entries()) {
      if (!m.running) continue;
      try {
        const res = await fetch(`${m.healthUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
        if (/^etcd_server_is_leader 1$/m.test(await res.text())) return i;
      } catch {
        // Not answering: try the next member.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no etcd leader elected within ${timeoutMs} ms`);
}
