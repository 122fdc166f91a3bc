import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startCluster, type Cluster } from '../src/index.js';
import { silentLogger, type ApiClient } from '@tugboat/core';

/** What one kubectl run answered. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An in-process single-node cluster (HTTPS apiserver, scheduler, controllers, a simulated node) and the real kubectl against it. */
export interface KubectlCluster {
  readonly cluster: Cluster;
  /** The in-process admin client, to look at what kubectl did. */
  readonly api: ApiClient;
  /** Runs `/usr/bin/kubectl` with the cluster's admin kubeconfig. */
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** Runs kubectl and returns stdout, failing with stderr when it exits non-zero. */
  ok(...args: string[]): Promise<string>;
  /** `kubectl apply -f` of one manifest. */
  apply(manifest: object): Promise<string>;
  /** Stops everything and removes the data directories. */
  stop(): Promise<void>;
}

/** Starts the cluster on the fake runtime with free ports and a data directory of its own. */
export async function startKubectlCluster(): Promise<KubectlCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tug-ctl-kubectl-'));
  const home = mkdtempSync(join(tmpdir(), 'tug-ctl-home-'));
  const cluster = await startCluster({
    runtime: 'fake',
    port: 0,
    kubeletPort: 0,
    dataDir,
    nodeName: `ctl-${process.pid}`,
    logger: silentLogger,
  }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    throw err;
  });
  const env = { PATH: process.env['PATH'] ?? '/usr/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') };
  const kubectl = (...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      execFile(
        '/usr/bin/kubectl',
        ['--kubeconfig', cluster.kubeconfigPath, ...args],
        { env, timeout: 90_000 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await kubectl(...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  let manifests = 0;
  return {
    cluster,
    api: cluster.plane.client,
    kubectl,
    ok,
    apply: (manifest) => {
      const file = join(home, `manifest-${manifests++}.json`);
      writeFileSync(file, JSON.stringify(manifest));
      return ok('apply', '-f', file);
    },
    async stop() {
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
