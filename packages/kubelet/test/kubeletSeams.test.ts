import { readFile } from 'node:fs/promises';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { startPodHarness, statusOf, until, type PodHarness } from './podHarness.js';

describe('Kubelet with its real prober, volumes, env and node status', () => {
  let h: PodHarness;
  beforeEach(async () => {
    h = await startPodHarness({ realSeams: true });
    await h.kubelet.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('registers its Node, mounts a ConfigMap, sets env from it, and turns Ready through a readiness probe', async () => {
    const node = await until(() => h.api.get(resources.Nodes, 'node-1'), 'Node registered');
    expect(node.metadata?.labels?.['kubernetes.io/hostname']).toBe('node-1');
    await h.api.create(resources.ConfigMaps, {
      metadata: { name: 'cfg', namespace: 'default' },
      data: { greeting: 'hello' },
    });
    let ready = false;
    h.behaviours.forContainer('web', {
      steps: [{ forever: true }],
      exec: (cmd) => (cmd.join(' ') === 'check' ? { exitCode: ready ? 0 : 1 } : undefined),
    });
    await h.createPod('web', {
      volumes: [{ name: 'conf', configMap: { name: 'cfg' } }],
      containers: [
        {
          name: 'web',
          image: 'busybox:1.36',
          env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } }],
          volumeMounts: [{ name: 'conf', mountPath: '/etc/conf' }],
          readinessProbe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    });
    const running = await h.waitPod('web', (p) => p.status?.phase === 'Running', 'Running');
    expect(statusOf(running, 'web')?.ready).toBe(false);
    expect(running.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    const rec = [...h.node.containers.values()].find((c) => c.config.metadata.name === 'web');
    expect(rec?.config.envs).toEqual(expect.arrayContaining([{ key: 'GREETING', value: 'hello' }]));
    const mount = rec?.config.mounts?.find((m) => m.containerPath === '/etc/conf');
    expect(await readFile(`${mount?.hostPath ?? ''}/greeting`, 'utf8')).toBe('hello');
    ready = true;
    const readyPod = await h.waitPod('web', (p) => statusOf(p, 'web')?.ready === true, 'Ready');
    expect(readyPod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('a missing ConfigMap volume is a FailedMount event and the pod waits in ContainerCreating', async () => {
    await h.createPod('nomount', {
      volumes: [{ name: 'conf', configMap: { name: 'absent' } }],
      containers: [{ name: 'c', image: 'busybox:1.36', command: ['httpd'] }],
    });
    await until(
      async () => ((await h.events('nomount')).some((e) => e.startsWith('FailedMount: ')) ? true : undefined),
      'FailedMount event',
    );
    const events = await h.events('nomount');
    expect(events.find((e) => e.startsWith('FailedMount'))).toMatch(/configmap "absent" not found/);
    const pod = await h.getPod('nomount');
    expect(pod.status?.phase).toBe('Pending');
    expect(h.node.containers.size).toBe(0);
  });

  it('a failing liveness probe restarts the container', async () => {
    h.behaviours.forContainer('sick', (info) => ({
      steps: [{ forever: true }],
      exec: (cmd) => (cmd.join(' ') === 'alive' ? { exitCode: info.attempt === 0 ? 1 : 0 } : undefined),
    }));
    await h.createPod('sick', {
      containers: [
        {
          name: 'sick',
          image: 'busybox:1.36',
          livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    });
    const pod = await h.waitPod(
      'sick',
      (p) => statusOf(p, 'sick')?.restartCount === 1 && statusOf(p, 'sick')?.state?.running !== undefined,
      'restarted after the liveness failure',
    );
    expect(statusOf(pod, 'sick')?.lastState?.terminated).toBeDefined();
    const events = await h.events('sick');
    expect(events).toContain('Killing: Container sick failed liveness probe, will be restarted');
    expect(events.some((e) => e.startsWith('Unhealthy: Liveness probe failed'))).toBe(true);
  });
});
