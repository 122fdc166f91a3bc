import { apiserverModule } from '@tugboat/apiserver';
import {
  ApiClient,
  Logger,
  SharedInformerFactory,
  controllerRuntimeModule,
  resources,
  silentLogger,
  type corev1,
  type NodeInfo,
  type Snapshot,
} from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

import { MutableNodeInfo, Scheduler, schedulerModule, type SchedulerOptions } from '../src/index.js';
import { CycleStateImpl } from '../src/framework/CycleStateImpl.js';
import { podInfoOf } from '../src/internal/podInfo.js';

/** Polls `probe` until it returns a value, failing after the deadline. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A node with `cpu` cores, `memGi` GiB, `pods` pods, and optional labels/taints. */
export function node(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    pods?: number;
    labels?: Record<string, string>;
    taints?: corev1.Taint[];
    unschedulable?: boolean;
    ephemeral?: string;
    extra?: Record<string, string>;
  } = {},
): corev1.Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: {
      ...(opts.taints ? { taints: opts.taints } : {}),
      ...(opts.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      allocatable: {
        cpu: opts.cpu ?? '4',
        memory: opts.memory ?? '32Gi',
        pods: String(opts.pods ?? 110),
        'ephemeral-storage': opts.ephemeral ?? '100Gi',
        ...(opts.extra ?? {}),
      },
    },
  };
}

let uidSeq = 0;

/** A pod requesting `cpu`/`memory` (unset: no request), with optional extras merged into its spec. */
export function pod(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    labels?: Record<string, string>;
    namespace?: string;
    spec?: Partial<corev1.PodSpec>;
    nodeName?: string;
    ports?: corev1.ContainerPort[];
  } = {},
): corev1.Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests['cpu'] = opts.cpu;
  if (opts.memory) requests['memory'] = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      uid: `uid-${name}-${++uidSeq}`,
      labels: opts.labels ?? {},
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'busybox',
          resources: { requests },
          ...(opts.ports ? { ports: opts.ports } : {}),
        },
      ],
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      ...(opts.spec ?? {}),
    },
  };
}

/** A NodeInfo for table tests: the node with `pods` placed on it. */
export function nodeInfo(n: corev1.Node, pods: corev1.Pod[] = []): NodeInfo {
  const info = new MutableNodeInfo(n.metadata?.name ?? '');
  info.setNode(n);
  return withPods(info, pods);
}

function withPods(info: MutableNodeInfo, pods: corev1.Pod[]): MutableNodeInfo {
  return pods.reduce((i, p) => {
    i.addPod(podInfoFor(p, i.name));
    return i;
  }, info);
}

function podInfoFor(p: corev1.Pod, nodeName: string) {
  return podInfoOf({ ...p, spec: { ...(p.spec as corev1.PodSpec), nodeName } });
}

/** A fresh cycle state. */
export function state(): CycleStateImpl {
  return new CycleStateImpl();
}

/** A store-memory + registry + scheduler composition, as a user would write it. */
export async function startCluster(options: SchedulerOptions = {}) {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(memoryStoreModule(), apiserverModule(), controllerRuntimeModule(), schedulerModule(options));
  const api = container.get(ApiClient);
  const scheduler = container.get(Scheduler);
  await scheduler.start();
  const podCache = container.get(SharedInformerFactory).informerFor(resources.Pods).cache;
  return {
    api,
    scheduler,
    /** Every pod as the scheduler's informer sees it (no API round trip). */
    pods: () => podCache.list(),
    stop: async () => {
      await container.unbindAllAsync();
    },
    /** Waits until the pod is bound and returns its node name. */
    nodeOf: (name: string, namespace = 'default', timeoutMs?: number) =>
      until(
        async () => (await api.get(resources.Pods, name, { namespace })).spec?.nodeName || undefined,
        timeoutMs,
      ),
  };
}

/** A snapshot over the given node infos, for PreFilter table tests. */
export function snapshotOf(infos: NodeInfo[]): Snapshot {
  return {
    nodes: infos,
    get: (name) => infos.find((i) => i.node.metadata?.name === name),
    nodesWithAffinityPods: infos.filter((i) => i.podsWithAffinity.length > 0),
  };
}
