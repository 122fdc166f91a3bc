import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { corev1 } from '@tugboat/core';

import {
  httpGet,
  runtimeObjectsOf,
  startE2eCluster,
  until,
  type E2eCluster,
  type RealRuntime,
} from './e2eHarness.js';

const image = 'busybox:1.35';

/** httpd serving a page its command writes, Ready through an httpGet probe; and a container that talks. */
const webPod: corev1.Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    // httpd and the loop run as PID 1 and ignore SIGTERM: keep the SIGKILL that follows short.
    terminationGracePeriodSeconds: 2,
    containers: [
      {
        name: 'web',
        image,
        command: [
          'sh',
          '-c',
          'mkdir -p /www && echo hello-$(hostname) > /www/index.html && echo serving on 8080 && exec httpd -f -p 8080 -h /www',
        ],
        ports: [{ containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
      },
      {
        name: 'talker',
        image,
        command: [
          'sh',
          '-c',
          'echo first line; echo second line; i=0; while :; do i=$((i+1)); echo tick $i; sleep 1; done',
        ],
      },
    ],
  },
};

const crashPod: corev1.Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'crash' },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'crash', image, command: ['sh', '-c', 'echo crashing; exit 1'] }],
  },
};

function readyCondition(pod: corev1.Pod): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

describe.each<RealRuntime>(['containerd', 'docker'])('kubelet end to end on %s', (kind) => {
  let e2e: E2eCluster | undefined;
  let ready: Promise<corev1.Pod> | undefined;
  const cluster = (): E2eCluster => {
    if (!e2e) throw new Error(`the ${kind} cluster did not start`);
    return e2e;
  };
  /** The web pod once Ready (one wait shared by the cases that need it). */
  const readyWeb = (): Promise<corev1.Pod> => {
    const c = cluster();
    ready ??= until(
      'pod web Ready',
      async () => {
        const pod = await c.getPod('web');
        return readyCondition(pod) === 'True' ? pod : undefined;
      },
      90_000,
      () => c.explainPod('web'),
    );
    return ready;
  };

  beforeAll(async () => {
    e2e = await startE2eCluster(kind);
    // Both pods at once: the crash loop runs its course while the other cases run.
    for (const pod of [webPod, crashPod]) {
      const applied = await e2e.apply(pod);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('runs a busybox httpd pod that becomes Ready through its httpGet probe and serves its page at the pod IP', async () => {
    const pod = await readyWeb();
    expect(pod.status?.phase).toBe('Running');
    expect(pod.spec?.nodeName).toBe(cluster().cluster.kubelet.nodeName);
    const podIp = pod.status?.podIP ?? '';
    expect(podIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(podIp).not.toBe('127.0.0.1');
    const page = await httpGet(`http://${podIp}:8080/`);
    expect(page).toEqual({ status: 200, body: 'hello-web\n' });
    const statuses = pod.status?.containerStatuses ?? [];
    expect(statuses.map((s) => [s.name, s.ready, s.restartCount]).sort()).toEqual([
      ['talker', true, 0],
      ['web', true, 0],
    ]);
  }, 120_000);

  it('returns what the containers printed through kubectl logs, and follows with logs -f', async () => {
    const c = cluster();
    await readyWeb();
    const web = await c.kubectl('logs', 'web', '-c', 'web');
    expect(web).toEqual({ code: 0, stdout: 'serving on 8080\n', stderr: '' });
    const talker = await c.kubectl('logs', 'web', '-c', 'talker');
    expect(talker.code).toBe(0);
    expect(talker.stdout.startsWith('first line\nsecond line\ntick 1\n')).toBe(true);
    const seen = Math.max(0, ...[...talker.stdout.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])));
    // Lines printed after the follow began prove that it follows rather than reads once.
    const follow = c.kubectlStream('logs', '-f', 'web', '-c', 'talker');
    try {
      await until('logs -f to show a new line', () =>
        Promise.resolve(follow.output().includes(`tick ${seen + 2}\n`) ? true : undefined),
      );
      expect(follow.output().startsWith('first line\nsecond line\n')).toBe(true);
      expect(follow.child.exitCode).toBeNull();
    } finally {
      follow.stop();
    }
  }, 120_000);

  it('runs commands in a container through kubectl exec and propagates a failing exit code', async () => {
    const c = cluster();
    await readyWeb();
    const cat = await c.kubectl('exec', 'web', '-c', 'web', '--', 'cat', '/www/index.html');
    expect(cat).toEqual({ code: 0, stdout: 'hello-web\n', stderr: '' });
    const failing = await c.kubectl(
      'exec',
      'web',
      '-c',
      'web',
      '--',
      'sh',
      '-c',
      'echo to-stderr >&2; exit 3',
    );
    expect(failing.code).toBe(3);
    expect(failing.stdout).toBe('');
    expect(failing.stderr).toContain('to-stderr');
    expect(failing.stderr).toContain('command terminated with exit code 3');
  }, 120_000);

  it('kubectl exec -i is interactive: each line comes back before the next is typed', async () => {
    const c = cluster();
    await readyWeb();
    const session = c.kubectlStream('exec', '-i', 'web', '-c', 'web', '--', 'cat');
    const stdin = session.child.stdin;
    if (stdin === null) throw new Error('kubectl has no stdin pipe');
    for (const line of ['one\n', 'two\n']) {
      stdin.write(line);
      await until(
        `${line.trim()} back through kubectl exec`,
        () => Promise.resolve(session.output().endsWith(line) ? true : undefined),
        15_000,
      );
    }
    const exited = new Promise<number | null>((resolve) => session.child.once('close', resolve));
    stdin.end();
    expect(await exited).toBe(0);
    expect(session.output()).toBe('one\ntwo\n');
  }, 120_000);

  it('restarts a crashing container and shows CrashLoopBackOff', async () => {
    const c = cluster();
    const status = await until(
      'pod crash in CrashLoopBackOff',
      async () => {
        const s = (await c.getPod('crash')).status?.containerStatuses?.[0];
        return s && s.restartCount >= 1 && s.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
      },
      90_000,
      () => c.explainPod('crash'),
    );
    expect(status.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(status.ready).toBe(false);
    const table = await c.kubectl('get', 'pod', 'crash', '--no-headers');
    expect(table.stdout).toMatch(/^crash\s+0\/1\s+CrashLoopBackOff\s+\d+/);
    const logs = await c.kubectl('logs', 'crash');
    expect(logs).toEqual({ code: 0, stdout: 'crashing\n', stderr: '' });
  }, 120_000);

  it("removes a deleted pod's sandbox and containers from the runtime", async () => {
    const c = cluster();
    await readyWeb();
    const uids = await Promise.all(
      ['web', 'crash'].map(async (n) => (await c.getPod(n)).metadata?.uid ?? ''),
    );
    for (const uid of uids) expect(await runtimeObjectsOf(c.runtime, uid)).toBeGreaterThan(0);
    const deleted = await c.kubectl('delete', 'pod', 'web', 'crash', '--wait=true', '--timeout=60s');
    expect(deleted.code).toBe(0);
    expect((await c.kubectl('get', 'pods', '-o', 'name')).stdout).toBe('');
    for (const uid of uids)
      await until(`the runtime to drop pod ${uid}`, async () =>
        (await runtimeObjectsOf(c.runtime, uid)) === 0 ? true : undefined,
      );
  }, 120_000);
});
