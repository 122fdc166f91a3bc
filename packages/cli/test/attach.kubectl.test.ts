import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, type corev1 } from '@tugboat/core';
import { until } from '@tugboat/testing';

import { startKubectlCluster, type KubectlCluster } from './kubectlCluster.js';

/** A pod whose only container reads its stdin to the end, then answers. */
function stdinPod(name: string): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: 'busybox:1.35',
          command: ['sh', '-c', 'echo started; cat; echo stdin closed'],
          stdin: true,
          stdinOnce: true,
        },
      ],
    },
  };
}

describe('kubectl attach (real kubectl v1.32, simulated node)', () => {
  let c: KubectlCluster;
  const home = mkdtempSync(join(tmpdir(), 'tug-attach-home-'));

  beforeAll(async () => {
    c = await startKubectlCluster();
  }, 120_000);

  afterAll(async () => {
    await c.stop();
    rmSync(home, { recursive: true, force: true });
  });

  async function running(name: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pod = await c.api.get(resources.Pods, name, { namespace: 'default' });
      if (pod.status?.phase === 'Running') return;
      if (Date.now() > deadline) throw new Error(`pod ${name} is not running: ${JSON.stringify(pod.status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('attach -i feeds stdin to the main process line by line and streams its output until it exits', async () => {
    await c.api.create(resources.Pods, stdinPod('reader'));
    await running('reader');
    const child = spawn(
      '/usr/bin/kubectl',
      ['--kubeconfig', c.cluster.kubeconfigPath, 'attach', '-i', 'reader', '-c', 'app'],
      { env: { PATH: process.env['PATH'] ?? '/usr/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) =>
      child.on('close', (code) => {
        resolve(code ?? -1);
      }),
    );
    // As at a terminal: each line comes back through kubectl before the next is typed.
    for (const line of ['hello\n', 'world\n']) {
      child.stdin.write(line);
      await until(
        () => (stdout.endsWith(line) ? true : undefined),
        `${line.trim()} to come back (stderr: ${stderr})`,
      );
    }
    child.stdin.end();
    expect(await exited).toBe(0);
    // What the process wrote before the attach went to its log only; what came after, to kubectl.
    expect(stdout).toBe('hello\nworld\nstdin closed\n');
    expect(await c.ok('logs', 'reader')).toBe('started\nhello\nworld\nstdin closed\n');
  });
});
