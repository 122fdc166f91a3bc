import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { apiserverModule } from '@tugboat/apiserver';
import { ApiClient, Logger, resources, silentLogger, type Runtime, type corev1 } from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import {
  buildTestImage,
  startRegistry,
  startSilentServer,
  type TestImage,
  type TestRegistry,
} from '@tugboat/testing';
import { Container } from 'inversify';
import type { Subscription } from 'rxjs';

import { Kubelet } from '../src/Kubelet.js';
import { containerd, docker, scopedRuntime, type RealRuntime } from './imagesRealRuntime.js';
import { statusOf, until } from './podHarness.js';

jest.setTimeout(120_000);

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const creds = { username: 'tugboat', password: 's3cret-pull' };

describe.each([
  ['containerd', containerd],
  ['docker', docker],
] as const)('Kubelet pulls images from a real registry through %s', (kind, factory) => {
  const run = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const namespace = `images-${kind}-${run}`;
  const nodeName = `images-${kind}-${run}`;
  let rt: RealRuntime | undefined;
  let runtime: Runtime;
  let plain: TestRegistry | undefined;
  let guarded: TestRegistry | undefined;
  let dir = '';
  let seq = 0;
  let container: Container | undefined;
  let api: ApiClient;
  let kubelet: Kubelet | undefined;
  const pulled = new Set<string>();
  const watches: Subscription[] = [];

  const repo = (what: string): string => `tugboat-test/kubelet-${what}-${run}-${++seq}`;
  const image = (): Promise<TestImage> => buildTestImage({ dir: join(dir, 'images') });
  const reg = (r: TestRegistry | undefined): TestRegistry => {
    if (!r) throw new Error('no registry: see beforeAll');
    return r;
  };

  const createPod = (name: string, spec: Omit<corev1.PodSpec, 'nodeName'>): Promise<corev1.Pod> => {
    for (const c of spec.containers) if (c.image) pulled.add(c.image);
    return api.create(resources.Pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace },
      spec: { terminationGracePeriodSeconds: 1, hostNetwork: true, ...spec, nodeName },
    });
  };
  const waitPod = (name: string, ok: (p: corev1.Pod) => boolean, what: string): Promise<corev1.Pod> =>
    until(
      async () => {
        const p = await api.get(resources.Pods, name, { namespace });
        return ok(p) ? p : undefined;
      },
      `${name}: ${what}`,
      90_000,
    );
  const events = async (name: string): Promise<string[]> =>
    (await api.list(resources.Events, { namespace })).items
      .filter((e) => e.involvedObject.name === name)
      .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  /** Every waiting reason and message container `c` of pod `name` shows, in order. */
  const waitingHistory = (name: string): { reason: string; message: string }[] => {
    const seen: { reason: string; message: string }[] = [];
    watches.push(
      api.watch(resources.Pods, { namespace, fieldSelector: `metadata.name=${name}` }).subscribe((e) => {
        const w = statusOf(e.object, 'c')?.state?.waiting;
        const last = seen.at(-1);
        if (w?.reason && (last?.reason !== w.reason || last.message !== w.message))
          seen.push({ reason: w.reason, message: w.message ?? '' });
      }),
    );
    return seen;
  };
  const pullSecret = (name: string, password: string): Promise<corev1.Secret> =>
    api.create(resources.Secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': b64(
          JSON.stringify({ auths: { [reg(guarded).host]: { auth: b64(`${creds.username}:${password}`) } } }),
        ),
      },
    });
  const sleeper = (img: string, extra: Partial<corev1.Container> = {}): corev1.Container => ({
    name: 'c',
    image: img,
    command: ['sh', '-c', 'echo marker=$TUG_IMAGE_MARKER; sleep 3600'],
    ...extra,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `tug-kubelet-images-${kind}-`));
    rt = await factory();
    runtime = rt.runtime;
    plain = await startRegistry();
    guarded = await startRegistry({ auth: creds });
    await rt.configureRegistry(plain);
    await rt.configureRegistry(guarded);
    container = new Container();
    container.bind(Logger).toConstantValue(silentLogger);
    container.load(memoryStoreModule(), apiserverModule());
    api = container.get<ApiClient>(ApiClient);
    await api.create(resources.Namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    kubelet = new Kubelet({
      nodeName,
      client: api,
      runtime: scopedRuntime(runtime, namespace),
      rootDir: join(dir, 'kubelet'),
      address: '127.0.0.1',
      backoff: { initialMs: 1_000, maxMs: 4_000, resetAfterMs: 60_000 },
      resyncIntervalMs: 2_000,
      // Well above a loopback pull (≈ 50 ms), short enough for the hung-registry case.
      imagePullTimeoutMs: 15_000,
      // Never on a shared daemon: the busybox and pause images other suites use look unused here.
      imageGc: false,
    });
    await kubelet.start();
  }, 180_000);

  afterAll(async () => {
    for (const w of watches) w.unsubscribe();
    await kubelet?.stop();
    if (rt) {
      const scoped = scopedRuntime(rt.runtime, namespace);
      for (const sb of await scoped.listPodSandboxes().catch(() => []))
        await rt.runtime.removePodSandbox(sb.id);
      for (const ref of pulled) await rt.runtime.removeImage(ref).catch(() => undefined);
    }
    await plain?.stop();
    await guarded?.stop();
    await rt?.close();
    await container?.unbindAllAsync();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('starts a pod whose image exists only in the registry, with Pulling and Pulled events', async () => {
    const img = await image();
    const { ref } = await reg(plain).pushImage(img.archive, `${repo('only')}:1.0`);
    expect(await runtime.imageStatus(ref)).toBeUndefined();
    await createPod('only', { containers: [sleeper(ref)] });
    await waitPod('only', (p) => p.status?.phase === 'Running', 'Running');
    expect((await runtime.imageStatus(ref))?.id).toBe(img.configDigest);
    const evs = await events('only');
    expect(evs).toContain(`Pulling: Pulling image "${ref}"`);
    expect(evs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^Pulled: Successfully pulled image "${ref.replace(/[.]/g, '\\.')}" in \\d[\\d.]*m?s \\(\\d[\\d.]*m?s including waiting\\)\\. Image size: [1-9]\\d* bytes\\.$`,
          ),
        ),
      ]),
    );
  });

  it("shows ErrImagePull, then ImagePullBackOff, with the registry's error for wrong credentials", async () => {
    const img = await image();
    const { ref } = await reg(guarded).pushImage(img.archive, `${repo('wrong')}:1`);
    await pullSecret('wrong-creds', 'not-the-password');
    const history = waitingHistory('wrong');
    await createPod('wrong', { imagePullSecrets: [{ name: 'wrong-creds' }], containers: [sleeper(ref)] });
    await until(
      () => (history.some((w) => w.reason === 'ImagePullBackOff') ? true : undefined),
      'ImagePullBackOff',
      90_000,
    );
    const firstPull = history.find((w) => w.reason === 'ErrImagePull');
    expect(firstPull?.message).toMatch(
      new RegExp(`^Failed to pull image "${ref}": .*(401|unauthori[sz]ed)`, 'i'),
    );
    expect(history.findIndex((w) => w.reason === 'ErrImagePull')).toBeLessThan(
      history.findIndex((w) => w.reason === 'ImagePullBackOff'),
    );
    expect(history.find((w) => w.reason === 'ImagePullBackOff')?.message).toBe(
      `Back-off pulling image "${ref}"`,
    );
    expect(await runtime.imageStatus(ref)).toBeUndefined();
  });

  it('starts a pod that pulls with the right imagePullSecret', async () => {
    const img = await image();
    const { ref } = await reg(guarded).pushImage(img.archive, `${repo('right')}:1`);
    await pullSecret('right-creds', creds.password);
    await createPod('right', { imagePullSecrets: [{ name: 'right-creds' }], containers: [sleeper(ref)] });
    await waitPod('right', (p) => p.status?.phase === 'Running', 'Running');
    expect((await runtime.imageStatus(ref))?.id).toBe(img.configDigest);
  });

  it('gives ErrImageNeverPull for a missing image with pull policy Never, and pulls nothing', async () => {
    const img = await image();
    const { ref } = await reg(plain).pushImage(img.archive, `${repo('never')}:1`);
    await createPod('never', { containers: [sleeper(ref, { imagePullPolicy: 'Never' })] });
    const pod = await waitPod(
      'never',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'ErrImageNeverPull',
      'ErrImageNeverPull',
    );
    expect(statusOf(pod, 'c')?.state?.waiting?.message).toBe(
      `Container image "${ref}" is not present with pull policy of Never`,
    );
    expect(await runtime.imageStatus(ref)).toBeUndefined();
  });

  it('pulls a digest reference as exactly that image, even after its tag moved on', async () => {
    const first = await image();
    const second = await image();
    const name = repo('digest');
    const pushed = await reg(plain).pushImage(first.archive, `${name}:v1`);
    await reg(plain).pushImage(second.archive, `${name}:v1`);
    const byDigest = `${reg(plain).host}/${name}@${pushed.digest}`;
    pulled.add(`${reg(plain).host}/${name}:v1`);
    await createPod('digest', { containers: [sleeper(byDigest)] });
    const pod = await waitPod('digest', (p) => p.status?.phase === 'Running', 'Running');
    expect((await runtime.imageStatus(byDigest))?.id).toBe(first.configDigest);
    expect(statusOf(pod, 'c')?.image).toBe(byDigest);
  });

  it('fails a pull from a registry that never answers with ErrImagePull at the pull deadline', async () => {
    const silent = await startSilentServer();
    try {
      await rt?.configureRegistry({ host: silent.host, url: `http://${silent.host}` });
      const ref = `${silent.host}/tugboat-test/hung-${run}:1`;
      await createPod('hung', { containers: [sleeper(ref)] });
      const pod = await waitPod(
        'hung',
        (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'ErrImagePull',
        'ErrImagePull',
      );
      expect(statusOf(pod, 'c')?.state?.waiting?.message).toMatch(
        new RegExp(
          `^Failed to pull image "${ref}": .*(did not finish within 15s|deadline|timeout|timed out)`,
          'i',
        ),
      );
      expect(silent.accepted()).toBeGreaterThan(0);
    } finally {
      await silent.stop();
    }
  });
});
