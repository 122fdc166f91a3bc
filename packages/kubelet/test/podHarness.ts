import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { apiserverModule } from '@tugboat/apiserver';
import { ApiClient, ApiError, Logger, resources, silentLogger, type corev1 } from '@tugboat/core';
import { FakeBehaviours, FakeRuntime, type FakeNode } from '@tugboat/runtime-fake';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';
import { throwError } from 'rxjs';

import { Kubelet } from '../src/Kubelet.js';
import type { KubeletOptions } from '../src/KubeletOptions.js';
import type { KubeletDeps, PodProber } from '../src/pod/seams.js';

import { until } from '@tugboat/testing';

export { until };

/** A prober stand-in: every container ready and started; liveness failures are injected by tests. */
export class StubProber implements PodProber {
  readonly failLiveness = new Map<string, string>();
  readonly removed: string[] = [];
  syncPod(): void {}
  removePod(uid: string): void {
    this.removed.push(uid);
  }
  isReady(): boolean {
    return true;
  }
  isStarted(): boolean {
    return true;
  }
  takeRestart(_uid: string, _name: string, containerId: string): { message: string } | undefined {
    const message = this.failLiveness.get(containerId);
    if (message === undefined) return undefined;
    this.failLiveness.delete(containerId);
    return { message };
  }
  stop(): void {}
}

/** Trivial seams: plain temp dirs as volumes, env from values and configMapKeyRefs only, no mounts. */
export function stubDeps(rootDir: string, prober: StubProber): Partial<KubeletDeps> {
  return {
    prober: () => prober,
    nodeStatus: () => ({
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      requestUpdate: () => {},
    }),
    volumes: () => ({
      async setupPod(pod) {
        const paths = new Map<string, string>();
        for (const v of pod.spec?.volumes ?? []) {
          const dir = join(rootDir, 'pods', pod.metadata?.uid ?? '', 'volumes', v.name);
          await mkdir(dir, { recursive: true });
          paths.set(v.name, dir);
        }
        await mkdir(join(rootDir, 'pods', pod.metadata?.uid ?? ''), { recursive: true });
        return paths;
      },
      teardownPod: (uid) => rm(join(rootDir, 'pods', uid), { recursive: true, force: true }),
      listPodUids: async () => readdir(join(rootDir, 'pods')).catch(() => []),
    }),
    env: async (pod, container, ctx) => {
      const out: { key: string; value: string }[] = [];
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef;
        if (ref) {
          const cm = await ctx.sources.getConfigMap(pod.metadata?.namespace ?? '', ref.name ?? '');
          if (!cm) throw new ApiError('Invalid', `configmap "${ref.name ?? ''}" not found`);
          out.push({ key: e.name, value: cm.data?.[ref.key] ?? '' });
        } else out.push({ key: e.name, value: e.value ?? '' });
      }
      return out;
    },
    mounts: () => [],
  };
}

/** An ApiClient that can be switched off: every call then fails `Unavailable`. */
export function switchableClient(inner: ApiClient): { client: ApiClient; down: boolean } {
  const state = { client: inner, down: false };
  state.client = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (state.down) {
          const err = new ApiError('Unavailable', 'connect ECONNREFUSED 127.0.0.1:6443');
          return prop === 'watch' ? throwError(() => err) : Promise.reject(err);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return state;
}

/** An in-process apiserver, a fake node and kubelets over them. */
export interface PodHarness {
  readonly api: ApiClient;
  /** The kubelet's client (switch `down` to simulate a lost apiserver). */
  readonly link: { client: ApiClient; down: boolean };
  readonly runtime: FakeRuntime;
  readonly node: FakeNode;
  readonly behaviours: FakeBehaviours;
  readonly prober: StubProber;
  readonly rootDir: string;
  kubelet: Kubelet;
  /** Starts a new kubelet on a reconnected runtime client of the same node (the old one must be stopped). */
  restartKubelet(): Promise<Kubelet>;
  createPod(name: string, spec: Omit<corev1.PodSpec, 'nodeName'>, namespace?: string): Promise<corev1.Pod>;
  getPod(name: string, namespace?: string): Promise<corev1.Pod>;
  waitPod(
    name: string,
    ok: (pod: corev1.Pod) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<corev1.Pod>;
  /** Events about a pod, as `reason: message`. */
  events(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Options of {@link startPodHarness}. */
export interface PodHarnessOptions {
  /** Use the package's real prober, volumes, env and mounts instead of the stubs. */
  readonly realSeams?: boolean;
  readonly images?: readonly string[];
  readonly pullable?: (ref: string) => boolean;
  readonly kubelet?: Partial<KubeletOptions>;
}

export const nodeName = 'node-1';

export async function startPodHarness(options: PodHarnessOptions = {}): Promise<PodHarness> {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(memoryStoreModule(), apiserverModule());
  const api = container.get<ApiClient>(ApiClient);
  const link = switchableClient(api);
  const behaviours = new FakeBehaviours();
  const runtime = new FakeRuntime({
    behaviours,
    images: options.images ?? ['busybox:1.36', 'registry.k8s.io/pause:3.9'],
    ...(options.pullable ? { pullable: options.pullable } : {}),
  });
  const rootDir = await mkdtemp(join(tmpdir(), 'tugboat-kubelet-'));
  const prober = new StubProber();
  const make = (rt: FakeRuntime): Kubelet =>
    new Kubelet(
      {
        nodeName,
        client: link.client,
        runtime: rt,
        rootDir,
        address: '127.0.0.1',
        backoff: { initialMs: 200, maxMs: 1600, resetAfterMs: 60_000 },
        resyncIntervalMs: 2_000,
        ...options.kubelet,
      },
      options.realSeams ? {} : stubDeps(rootDir, prober),
    );
  const kubelets: Kubelet[] = [];
  const h: PodHarness = {
    api,
    link,
    runtime,
    node: runtime.node,
    behaviours,
    prober,
    rootDir,
    kubelet: make(runtime),
    async restartKubelet() {
      h.kubelet = make(runtime.reconnect());
      kubelets.push(h.kubelet);
      await h.kubelet.start();
      return h.kubelet;
    },
    createPod(name, spec, namespace = 'default') {
      return api.create(resources.Pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace },
        spec: { terminationGracePeriodSeconds: 2, ...spec, nodeName },
      });
    },
    getPod: (name, namespace = 'default') => api.get(resources.Pods, name, { namespace }),
    waitPod: (name, ok, what, timeoutMs) =>
      until(
        async () => {
          const p = await h.getPod(name);
          return ok(p) ? p : undefined;
        },
        `${name}: ${what}`,
        timeoutMs,
      ),
    async events(name) {
      const list = await api.list(resources.Events, { namespace: 'default' });
      return list.items
        .filter((e) => e.involvedObject.name === name)
        .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
    },
    async stop() {
      for (const k of kubelets) await k.stop();
      for (const sb of runtime.node.sandboxes.keys()) await runtime.node.removeSandbox(sb);
      await container.unbindAllAsync();
      await rm(rootDir, { recursive: true, force: true });
    },
  };
  kubelets.push(h.kubelet);
  return h;
}

/** The status of container `name` of a pod. */
export function statusOf(pod: corev1.Pod, name: string): corev1.ContainerStatus | undefined {
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (s) => s.name === name,
  );
}

/** A container running `sh -c script` in busybox. */
export function shell(name: string, script: string, extra: Partial<corev1.Container> = {}): corev1.Container {
  return { name, image: 'busybox:1.36', command: ['sh', '-c', script], ...extra };
}
