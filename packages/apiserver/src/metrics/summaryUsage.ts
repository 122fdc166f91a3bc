import type { ContainerUsage, NodeUsage, PodUsage } from './MetricsSource.js';

/** The part of a kubelet's `/stats/summary` (`stats/v1alpha1 Summary`) that metrics are made of. */
export interface SummaryFigures {
  readonly node?: { readonly nodeName?: string; readonly cpu?: CpuFigures; readonly memory?: MemoryFigures };
  readonly pods?: readonly {
    readonly podRef?: { readonly name?: string; readonly namespace?: string };
    readonly containers?: readonly {
      readonly name?: string;
      readonly cpu?: CpuFigures;
      readonly memory?: MemoryFigures;
    }[];
  }[];
}

interface CpuFigures {
  readonly time?: string;
  readonly usageNanoCores?: number;
  readonly usageCoreNanoSeconds?: number;
}

interface MemoryFigures {
  readonly time?: string;
  readonly workingSetBytes?: number;
}

/** A cumulative CPU reading kept between scrapes, to turn counters into rates. */
export interface CpuReading {
  readonly atMs: number;
  readonly coreNanoSeconds: number;
}

/** What one node's summary yields: its usage and its pods', and the readings to keep. */
export interface SummaryUsage {
  readonly node?: NodeUsage;
  readonly pods: PodUsage[];
  readonly readings: Map<string, CpuReading>;
}

/**
 * Turns one kubelet Summary into usage, as metrics-server does: memory is the working set; CPU is
 * the kubelet's `usageNanoCores` when given, else the rate of `usageCoreNanoSeconds` since the
 * previous scrape (`previous`, keyed `node` or `ns/pod/container`). A figure that cannot be made
 * (no previous reading, counter reset, missing field) leaves that container or node out.
 */
export function summaryUsage(
  summary: SummaryFigures,
  nodeName: string,
  previous: ReadonlyMap<string, CpuReading>,
  defaultWindowMs: number,
): SummaryUsage {
  const readings = new Map<string, CpuReading>();
  const rate = (
    key: string,
    cpu: CpuFigures | undefined,
  ): { nanoCores: number; windowMs: number; atMs: number } | undefined => {
    const atMs = cpu?.time !== undefined ? Date.parse(cpu.time) : NaN;
    if (cpu === undefined || Number.isNaN(atMs)) return undefined;
    const total = cpu.usageCoreNanoSeconds;
    if (isCount(total)) readings.set(key, { atMs, coreNanoSeconds: total });
    if (isCount(cpu.usageNanoCores))
      return { nanoCores: cpu.usageNanoCores, windowMs: defaultWindowMs, atMs };
    const before = previous.get(key);
    if (!isCount(total) || before === undefined) return undefined;
    const windowMs = atMs - before.atMs;
    const used = total - before.coreNanoSeconds;
    if (windowMs <= 0 || used < 0) return undefined;
    return { nanoCores: (used * 1000) / windowMs, windowMs, atMs };
  };

  let node: NodeUsage | undefined;
  const nodeCpu = rate('node', summary.node?.cpu);
  const nodeMemory = summary.node?.memory?.workingSetBytes;
  if (nodeCpu !== undefined && isCount(nodeMemory)) {
    node = {
      name: nodeName,
      timestampMs: nodeCpu.atMs,
      windowMs: nodeCpu.windowMs,
      cpuNanoCores: nodeCpu.nanoCores,
      memoryBytes: nodeMemory,
    };
  }

  const pods: PodUsage[] = [];
  for (const pod of summary.pods ?? []) {
    const name = pod.podRef?.name;
    const namespace = pod.podRef?.namespace;
    if (!name || !namespace) continue;
    const containers: ContainerUsage[] = [];
    let timestampMs = 0;
    let windowMs = 0;
    for (const c of pod.containers ?? []) {
      if (!c.name) continue;
      const cpu = rate(`${namespace}/${name}/${c.name}`, c.cpu);
      const memory = c.memory?.workingSetBytes;
      if (cpu === undefined || !isCount(memory)) continue;
      containers.push({ name: c.name, cpuNanoCores: cpu.nanoCores, memoryBytes: memory });
      timestampMs = Math.max(timestampMs, cpu.atMs);
      windowMs = Math.max(windowMs, cpu.windowMs);
    }
    if (containers.length > 0) pods.push({ namespace, name, timestampMs, windowMs, containers });
  }
  return { ...(node !== undefined ? { node } : {}), pods, readings };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
