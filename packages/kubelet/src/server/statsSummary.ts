import { metaTime } from '@tugboat/core';
import type { ContainerStats, Runtime, corev1 } from '@tugboat/core';

import type { ContainerLocator } from './KubeletServer.js';
import type { NodeSample } from './NodeStatsSampler.js';

/** CPU figures of the Summary API (`stats/v1alpha1 CPUStats`). */
export interface CpuStats {
  readonly time: string;
  readonly usageNanoCores?: number;
  readonly usageCoreNanoSeconds?: number;
}

/** Memory figures of the Summary API (`stats/v1alpha1 MemoryStats`), the part Tugboat measures. */
export interface MemoryStats {
  readonly time: string;
  readonly availableBytes?: number;
  readonly usageBytes?: number;
  readonly workingSetBytes?: number;
}

/** One container's entry of the Summary API. */
export interface ContainerSummary {
  readonly name: string;
  readonly startTime?: string;
  readonly cpu: CpuStats;
  readonly memory: MemoryStats;
}

/** One pod's entry of the Summary API. */
export interface PodSummary {
  readonly podRef: { readonly name: string; readonly namespace: string; readonly uid: string };
  readonly startTime?: string;
  readonly containers: ContainerSummary[];
  readonly cpu?: CpuStats;
  readonly memory?: MemoryStats;
}

/** The kubelet's `/stats/summary` answer (upstream's `stats/v1alpha1 Summary`), read by the HPA. */
export interface Summary {
  readonly node: {
    readonly nodeName: string;
    readonly startTime: string;
    readonly cpu: CpuStats;
    readonly memory: MemoryStats;
  };
  readonly pods: PodSummary[];
}

/**
 * Builds the Summary from the node sample and the runtime's stats of every running container of
 * the pods the kubelet runs. A container that stops or vanishes meanwhile is left out, not an error.
 */
export async function statsSummary(
  nodeName: string,
  node: NodeSample,
  runtime: Runtime,
  locator: ContainerLocator,
): Promise<Summary> {
  const pods = await Promise.all(locator.pods().map((pod) => podSummary(pod, runtime, locator)));
  const at = metaTime(node.atMs);
  return {
    node: {
      nodeName,
      startTime: metaTime(node.bootMs),
      cpu: {
        time: at,
        ...(node.usageNanoCores !== undefined ? { usageNanoCores: node.usageNanoCores } : {}),
        usageCoreNanoSeconds: node.usageCoreNanoSeconds,
      },
      memory: { time: at, ...node.memory },
    },
    pods,
  };
}

async function podSummary(pod: corev1.Pod, runtime: Runtime, locator: ContainerLocator): Promise<PodSummary> {
  const meta = pod.metadata ?? {};
  const namespace = meta.namespace ?? 'default';
  const name = meta.name ?? '';
  const measured = await Promise.all(
    (pod.spec?.containers ?? []).map(async (c) => {
      try {
        const located = await locator.locate(namespace, name, c.name, false);
        if (!located.running) return undefined;
        return { spec: c, stats: await runtime.containerStats(located.containerId) };
      } catch {
        return undefined;
      }
    }),
  );
  const startedAt = new Map(
    (pod.status?.containerStatuses ?? []).map((s) => [s.name, s.state?.running?.startedAt]),
  );
  const containers: ContainerSummary[] = [];
  const samples: ContainerStats[] = [];
  for (const m of measured) {
    if (m === undefined) continue;
    samples.push(m.stats);
    const start = startedAt.get(m.spec.name);
    containers.push({
      name: m.spec.name,
      ...(start !== undefined ? { startTime: start } : {}),
      cpu: cpu(m.stats),
      memory: { time: metaTime(m.stats.timestamp), workingSetBytes: m.stats.memoryWorkingSetBytes },
    });
  }
  const base: PodSummary = {
    podRef: { name, namespace, uid: meta.uid ?? '' },
    ...(pod.status?.startTime !== undefined ? { startTime: pod.status.startTime } : {}),
    containers,
  };
  if (samples.length === 0) return base;
  const time = metaTime(Math.max(...samples.map((s) => s.timestamp)));
  const nanoCores = samples.every((s) => s.cpuUsageNanoCores !== undefined)
    ? samples.reduce((sum, s) => sum + (s.cpuUsageNanoCores ?? 0), 0)
    : undefined;
  return {
    ...base,
    cpu: {
      time,
      ...(nanoCores !== undefined ? { usageNanoCores: nanoCores } : {}),
      usageCoreNanoSeconds: samples.reduce((sum, s) => sum + s.cpuUsageCoreNanoSeconds, 0),
    },
    memory: { time, workingSetBytes: samples.reduce((sum, s) => sum + s.memoryWorkingSetBytes, 0) },
  };
}

function cpu(stats: ContainerStats): CpuStats {
  return {
    time: metaTime(stats.timestamp),
    ...(stats.cpuUsageNanoCores !== undefined ? { usageNanoCores: stats.cpuUsageNanoCores } : {}),
    usageCoreNanoSeconds: stats.cpuUsageCoreNanoSeconds,
  };
}
