import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';
import { behaviours } from '@tugboat/runtime-fake';

import { shell, startPodHarness, statusOf, type PodHarness } from './podHarness.js';

describe('Kubelet: restarts, backoff and bad input', () => {
  let h: PodHarness;
  beforeEach(async () => {
    h = await startPodHarness({ pullable: (ref) => !ref.includes('does-not-exist') });
    await h.kubelet.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('a crash-looping container shows CrashLoopBackOff with a growing restartCount and backoff', async () => {
    h.behaviours.forContainer('crasher', behaviours.crashLoop({ exitCode: 2 }));
    const messages: string[] = [];
    const sub = h.api
      .watch(resources.Pods, { namespace: 'default', fieldSelector: 'metadata.name=crash' })
      .subscribe((e) => {
        const m = statusOf(e.object, 'crasher')?.state?.waiting?.message;
        if (m && messages.at(-1) !== m) messages.push(m);
      });
    await h.createPod('crash', { containers: [{ name: 'crasher', image: 'busybox:1.36' }] });
    const pod = await h.waitPod(
      'crash',
      (p) => {
        const s = statusOf(p, 'crasher');
        return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 4;
      },
      'CrashLoopBackOff after 4 restarts',
    );
    sub.unsubscribe();
    const s = statusOf(pod, 'crasher');
    const uid = pod.metadata?.uid ?? '';
    expect(s?.state?.waiting?.message).toMatch(
      new RegExp(`^back-off \\d+ms restarting failed container=crasher pod=crash_default\\(${uid}\\)$`),
    );
    // The delay doubles from the initial 200 ms (a window a slow sync missed shows no message).
    const delays = messages.map((m) => Number(/^back-off (\d+)ms/.exec(m)?.[1]));
    expect(delays.length).toBeGreaterThanOrEqual(2);
    expect(
      delays.every((d, i) => [200, 400, 800, 1600].includes(d) && (i === 0 || d > (delays[i - 1] ?? 0))),
    ).toBe(true);
    expect(s?.lastState?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(await h.events('crash')).toContain(
      `BackOff: Back-off restarting failed container crasher in pod crash_default(${uid})`,
    );
    // Older exited instances are removed: the newest one and one previous remain at most.
    const left = [...h.node.containers.values()].filter((c) => c.config.metadata.name === 'crasher');
    expect(left.length).toBeLessThanOrEqual(2);
  });

  it('restartPolicy Never: exit 0 is Succeeded/Completed, exit 1 is Failed/Error; both keep their status', async () => {
    await h.createPod('ok', { restartPolicy: 'Never', containers: [shell('c', 'echo done')] });
    await h.createPod('bad', { restartPolicy: 'Never', containers: [shell('c', 'exit 1')] });
    const ok = await h.waitPod('ok', (p) => p.status?.phase === 'Succeeded', 'Succeeded');
    const bad = await h.waitPod('bad', (p) => p.status?.phase === 'Failed', 'Failed');
    expect(statusOf(ok, 'c')?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(statusOf(bad, 'c')?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(statusOf(bad, 'c')?.restartCount).toBe(0);
    expect(ok.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    // Their sandboxes are stopped; nothing is restarted.
    const sandboxes = [...h.node.sandboxes.values()];
    expect(sandboxes.every((s) => s.state === 'SANDBOX_NOTREADY')).toBe(true);
    expect(h.node.containers.size).toBe(2);
  });

  it('restartPolicy OnFailure restarts a failing container but not a succeeding one', async () => {
    h.behaviours.forContainer('once', (info) => ({ steps: [{ exit: info.attempt === 0 ? 1 : 0 }] }));
    await h.createPod('onfail', {
      restartPolicy: 'OnFailure',
      containers: [{ name: 'once', image: 'busybox:1.36' }],
    });
    const pod = await h.waitPod('onfail', (p) => p.status?.phase === 'Succeeded', 'Succeeded');
    expect(statusOf(pod, 'once')?.restartCount).toBe(1);
  });

  it('an OOM-killed container shows OOMKilled in lastState', async () => {
    h.behaviours.forContainer('hog', (info) =>
      info.attempt === 0 ? behaviours.oomAfter(0) : behaviours.runForever(),
    );
    await h.createPod('oom', {
      containers: [{ name: 'hog', image: 'busybox:1.36', resources: { limits: { memory: '64Mi' } } }],
    });
    const pod = await h.waitPod(
      'oom',
      (p) => statusOf(p, 'hog')?.state?.running !== undefined && statusOf(p, 'hog')?.restartCount === 1,
      'restarted',
    );
    expect(statusOf(pod, 'hog')?.lastState?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const limits = [...h.node.containers.values()].map((c) => c.config.resources?.memoryLimitBytes);
    expect(limits).toContain(64 * 1024 * 1024);
  });

  it('an unknown image is ErrImagePull, then ImagePullBackOff; other pods are unaffected', async () => {
    await h.createPod('noimage', { containers: [{ name: 'c', image: 'example.com/does-not-exist:1' }] });
    await h.createPod('fine', { containers: [shell('c', 'httpd')] });
    await h.waitPod(
      'noimage',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'ErrImagePull',
      'ErrImagePull',
    );
    const backoff = await h.waitPod(
      'noimage',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'ImagePullBackOff',
      'ImagePullBackOff',
    );
    expect(statusOf(backoff, 'c')?.state?.waiting?.message).toBe(
      'Back-off pulling image "example.com/does-not-exist:1"',
    );
    expect(backoff.status?.phase).toBe('Pending');
    await h.waitPod('fine', (p) => p.status?.phase === 'Running', 'Running');
    const events = await h.events('noimage');
    expect(events).toEqual(
      expect.arrayContaining([
        'Pulling: Pulling image "example.com/does-not-exist:1"',
        expect.stringMatching(/^Failed: Failed to pull image "example.com\/does-not-exist:1": /),
        'Failed: Error: ErrImagePull',
        'BackOff: Back-off pulling image "example.com/does-not-exist:1"',
      ]),
    );
  });

  it('pulls a missing image with Pulling/Pulled events', async () => {
    await h.createPod('pull', { containers: [shell('c', 'httpd', { image: 'nginx:1.25' })] });
    await h.waitPod('pull', (p) => p.status?.phase === 'Running', 'Running');
    expect(await h.events('pull')).toEqual(
      expect.arrayContaining([
        'Pulling: Pulling image "nginx:1.25"',
        expect.stringMatching(
          /^Pulled: Successfully pulled image "nginx:1.25" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/,
        ),
      ]),
    );
  });

  it('a missing ConfigMap is CreateContainerConfigError until it appears', async () => {
    await h.createPod('cfg', {
      containers: [
        shell('c', 'httpd', {
          env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'x' } } }],
        }),
      ],
    });
    const pod = await h.waitPod(
      'cfg',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'CreateContainerConfigError',
      'CreateContainerConfigError',
    );
    expect(statusOf(pod, 'c')?.state?.waiting?.message).toBe('configmap "settings" not found');
    expect(await h.events('cfg')).toContain('Failed: Error: configmap "settings" not found');
    await h.api.create(resources.ConfigMaps, {
      metadata: { name: 'settings', namespace: 'default' },
      data: { x: '1' },
    });
    await h.waitPod('cfg', (p) => p.status?.phase === 'Running', 'Running once the ConfigMap exists');
  });

  it('an unknown command is RunContainerError/StartError; other pods are unaffected', async () => {
    await h.createPod('nocmd', {
      containers: [{ name: 'c', image: 'busybox:1.36', command: ['no-such-binary'] }],
    });
    await h.createPod('fine', { containers: [shell('c', 'httpd')] });
    const pod = await h.waitPod(
      'nocmd',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'RunContainerError',
      'RunContainerError',
    );
    const s = statusOf(pod, 'c');
    expect(s?.state?.waiting?.message).toMatch(/executable file not found/);
    expect(s?.lastState?.terminated).toMatchObject({ reason: 'StartError', exitCode: 128 });
    await h.waitPod('fine', (p) => p.status?.phase === 'Running', 'Running');
  });
});
