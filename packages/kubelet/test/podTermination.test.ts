import { access } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, resources } from '@tugboat/core';
import { behaviours } from '@tugboat/runtime-fake';

import { shell, startPodHarness, statusOf, until, type PodHarness } from './podHarness.js';

const gone = (h: PodHarness, name: string): Promise<true> =>
  until(async () => {
    try {
      await h.getPod(name);
      return undefined;
    } catch (err) {
      if (ApiError.is(err, 'NotFound')) return true;
      throw err;
    }
  }, `${name} gone from the API`);

describe('Kubelet: termination', () => {
  let h: PodHarness;
  beforeEach(async () => {
    h = await startPodHarness();
    await h.kubelet.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('a graceful deletion runs preStop, then stops the containers, removes the sandbox and the pod object', async () => {
    const hooks: { cmd: string; running: boolean }[] = [];
    h.behaviours.forContainer('srv', {
      steps: [{ forever: true }],
      exec: (cmd) => {
        const rec = [...h.node.containers.values()].find((c) => c.config.metadata.name === 'srv');
        hooks.push({ cmd: cmd.join(' '), running: rec?.state === 'CONTAINER_RUNNING' });
        return { exitCode: 0 };
      },
    });
    await h.createPod('del', {
      containers: [
        {
          name: 'srv',
          image: 'busybox:1.36',
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'drain'] } } },
        },
      ],
    });
    const pod = await h.waitPod('del', (p) => p.status?.phase === 'Running', 'Running');
    await h.api.delete(resources.Pods, 'del', { namespace: 'default' });
    await gone(h, 'del');
    expect(hooks).toEqual([{ cmd: 'sh -c drain', running: true }]);
    expect(h.node.sandboxes.size).toBe(0);
    expect(h.node.containers.size).toBe(0);
    await expect(access(join(h.rootDir, 'pods', pod.metadata?.uid ?? ''))).rejects.toThrow();
    expect(h.prober.removed).toContain(pod.metadata?.uid);
    expect(await h.events('del')).toContain('Killing: Stopping container srv');
  });

  it('a container ignoring SIGTERM is killed once the grace period has passed', async () => {
    h.behaviours.forContainer('stubborn', behaviours.runForever({ onSigterm: 'ignore' }));
    const exits: number[] = [];
    const sub = h.runtime.events.subscribe((e) => {
      if (e.type === 'exited' && e.exitCode !== undefined) exits.push(e.exitCode);
    });
    await h.createPod('stubborn', {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'stubborn', image: 'busybox:1.36' }],
    });
    await h.waitPod('stubborn', (p) => p.status?.phase === 'Running', 'Running');
    await h.api.delete(resources.Pods, 'stubborn', { namespace: 'default' });
    await gone(h, 'stubborn');
    sub.unsubscribe();
    expect(exits).toEqual([137]);
  });

  it('a pod deleted outright (grace 0) has its containers killed and removed', async () => {
    await h.createPod('now', { containers: [shell('c', 'httpd')] });
    await h.createPod('stays', { containers: [shell('c', 'httpd')] });
    await h.waitPod('now', (p) => p.status?.phase === 'Running', 'Running');
    await h.waitPod('stays', (p) => p.status?.phase === 'Running', 'Running');
    await h.api.delete(resources.Pods, 'now', { namespace: 'default', gracePeriodSeconds: 0 });
    await until(() => (h.node.sandboxes.size === 1 ? true : undefined), 'sandbox of the deleted pod removed');
    const left = [...h.node.containers.values()];
    expect(left.map((c) => c.podName)).toEqual(['stays']);
    expect(left[0]?.state).toBe('CONTAINER_RUNNING');
  });

  it('a completed pod keeps its final status after its sandbox is stopped', async () => {
    await h.createPod('job', { restartPolicy: 'Never', containers: [shell('c', 'echo hi')] });
    const done = await h.waitPod('job', (p) => p.status?.phase === 'Succeeded', 'Succeeded');
    // A later update (a label) re-syncs the pod; the terminal status must not change.
    await h.api.patch(
      resources.Pods,
      'job',
      'merge',
      { metadata: { labels: { touched: 'yes' } } },
      { namespace: 'default' },
    );
    await until(
      async () => ((await h.getPod('job')).metadata?.labels?.['touched'] ? true : undefined),
      'label',
    );
    await until(
      () => ([...h.node.sandboxes.values()].every((s) => s.state === 'SANDBOX_NOTREADY') ? true : undefined),
      'sandbox stopped',
    );
    const after = await h.getPod('job');
    expect(after.status?.phase).toBe('Succeeded');
    expect(statusOf(after, 'c')?.state).toEqual(statusOf(done, 'c')?.state);
  });

  it('runs an httpGet preStop hook against the pod before stopping it', async () => {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await h.createPod('hook', {
        hostNetwork: true,
        containers: [shell('c', 'httpd', { lifecycle: { preStop: { httpGet: { path: '/drain', port } } } })],
      });
      const pod = await h.waitPod('hook', (p) => p.status?.phase === 'Running', 'Running');
      expect(pod.status?.podIP).toBe('127.0.0.1');
      await h.api.delete(resources.Pods, 'hook', { namespace: 'default' });
      await gone(h, 'hook');
      expect(hits).toEqual(['/drain']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
