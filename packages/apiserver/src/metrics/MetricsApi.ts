import {
  ApiError,
  Quantity,
  errors,
  fieldValue,
  parseFieldSelector,
  parseLabelSelector,
  resources,
  type corev1,
  type KubeObject,
  type ListOptions,
  type ObjectList,
  metaTime,
} from '@tugboat/core';

import type { ComputedResource } from '../http/hooks.js';
import type { Registry } from '../registry/Registry.js';
import { systemAdmin, type RequestContext } from '../registry/RequestContext.js';
import { goDuration } from './goDuration.js';
import type { MetricsSource, NodeUsage, PodUsage } from './MetricsSource.js';
import {
  metricsResources,
  type NodeMetrics,
  type PodMetrics,
  type ResourceUsage,
} from './metricsResources.js';

const { PodMetrics: podDef, NodeMetrics: nodeDef } = metricsResources;
const apiVersion = 'metrics.k8s.io/v1beta1';

/**
 * The `metrics.k8s.io/v1beta1` API, as metrics-server serves it: `PodMetrics` and `NodeMetrics`
 * computed from a {@link MetricsSource} for the pods and nodes that exist, carrying their labels
 * (label selectors select on them; field selectors on `metadata.name` and `metadata.namespace`).
 * Objects without a sample are absent from lists and `NotFound` on get.
 */
export class MetricsApi {
  constructor(
    private readonly registry: Registry,
    private readonly source: MetricsSource,
  ) {}

  /** The two computed resources, for {@link Registry.serveComputed}. */
  resources(): ComputedResource[] {
    return [
      {
        definition: podDef,
        get: (ctx, name) => this.getPod(ctx, name),
        list: (ctx, options) => this.listPods(ctx, options),
      },
      {
        definition: nodeDef,
        get: (_ctx, name) => this.getNode(name),
        list: (_ctx, options) => this.listNodes(options),
      },
    ];
  }

  private async getPod(ctx: RequestContext, name: string): Promise<PodMetrics> {
    const namespace = ctx.namespace ?? '';
    const found = (await this.pods(namespace || undefined, {})).find(
      (m) => m.metadata.name === name && m.metadata.namespace === namespace,
    );
    if (found === undefined) throw errors.notFound('podmetrics', `${namespace}/${name}`, 'metrics.k8s.io');
    return found;
  }

  private async listPods(ctx: RequestContext, options: ListOptions): Promise<ObjectList<KubeObject>> {
    return list('PodMetricsList', await this.pods(ctx.namespace || undefined, options));
  }

  private async getNode(name: string): Promise<NodeMetrics> {
    const found = (await this.nodes({})).find((m) => m.metadata.name === name);
    if (found === undefined) throw errors.notFound('nodemetrics', name, 'metrics.k8s.io');
    return found;
  }

  private async listNodes(options: ListOptions): Promise<ObjectList<KubeObject>> {
    return list('NodeMetricsList', await this.nodes(options));
  }

  private async pods(namespace: string | undefined, options: ListOptions): Promise<PodMetrics[]> {
    const select = selector(options);
    const [pods, usage] = await Promise.all([
      this.registry.list({ user: systemAdmin, ...(namespace ? { namespace } : {}) }, resources.Pods, {
        ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      }),
      this.source.pods(),
    ]);
    const byKey = new Map(usage.map((u) => [`${u.namespace}/${u.name}`, u]));
    const out: PodMetrics[] = [];
    for (const pod of pods.items as corev1.Pod[]) {
      const u = byKey.get(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
      if (u === undefined || u.containers.length === 0) continue;
      const m = podMetrics(pod, u);
      if (select(m)) out.push(m);
    }
    return out;
  }

  private async nodes(options: ListOptions): Promise<NodeMetrics[]> {
    const select = selector(options);
    const [nodes, usage] = await Promise.all([
      this.registry.list({ user: systemAdmin }, resources.Nodes, {
        ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      }),
      this.source.nodes(),
    ]);
    const byName = new Map(usage.map((u) => [u.name, u]));
    const out: NodeMetrics[] = [];
    for (const node of nodes.items as corev1.Node[]) {
      const u = byName.get(node.metadata?.name ?? '');
      if (u === undefined) continue;
      const m = nodeMetrics(node, u);
      if (select(m)) out.push(m);
    }
    return out;
  }
}

/**
 * Serves `metrics.k8s.io/v1beta1` from `source` on `registry` (in process and, through it, over
 * HTTP). Returns the {@link MetricsApi}.
 */
export function serveMetricsApi(registry: Registry, source: MetricsSource): MetricsApi {
  const api = new MetricsApi(registry, source);
  registry.serveComputed(api.resources());
  return api;
}

function list(kind: string, items: KubeObject[]): ObjectList<KubeObject> {
  return { apiVersion, kind, metadata: { resourceVersion: '' }, items };
}

/** The field-selector half of a list's options (labels are applied to the pods and nodes read). */
function selector(options: ListOptions): (m: KubeObject) => boolean {
  const fields = parseFieldSelector(options.fieldSelector ?? '');
  for (const r of fields.requirements) {
    if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace')
      throw new ApiError('BadRequest', `field label not supported: ${r.field}`);
  }
  // Validates the label selector even when no object is there to select.
  parseLabelSelector(options.labelSelector ?? '');
  if (fields.requirements.length === 0) return () => true;
  return (m) =>
    fields.matches({
      'metadata.name': fieldValue(m, 'metadata.name'),
      'metadata.namespace': fieldValue(m, 'metadata.namespace'),
    });
}

function meta(obj: KubeObject): PodMetrics['metadata'] {
  const m = obj.metadata ?? {};
  return {
    name: m.name ?? '',
    ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
    // As metrics-server: the object is made now, and carries the labels of what it measures.
    creationTimestamp: metaTime(Date.now()),
    ...(m.labels !== undefined ? { labels: { ...m.labels } } : {}),
  };
}

function podMetrics(pod: corev1.Pod, u: PodUsage): PodMetrics {
  return {
    apiVersion,
    kind: 'PodMetrics',
    metadata: meta(pod),
    timestamp: metaTime(u.timestampMs),
    window: goDuration(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: usage(c.cpuNanoCores, c.memoryBytes) })),
  };
}

function nodeMetrics(node: corev1.Node, u: NodeUsage): NodeMetrics {
  return {
    apiVersion,
    kind: 'NodeMetrics',
    metadata: meta(node),
    timestamp: metaTime(u.timestampMs),
    window: goDuration(u.windowMs),
    usage: usage(u.cpuNanoCores, u.memoryBytes),
  };
}

/** CPU as a nano-scaled quantity and memory as a binary one, as metrics-server writes them. */
function usage(cpuNanoCores: number, memoryBytes: number): ResourceUsage {
  const cpu = Quantity.parse(`${Math.max(0, Math.round(cpuNanoCores))}n`).toString();
  const memory = Quantity.fromValue(Math.max(0, Math.round(memoryBytes)), 'BinarySI').toString();
  return { cpu, memory };
}
