import { token } from '@tugboat/core';

/** One container's resource usage: CPU as a rate over the sample window, memory as working set. */
export interface ContainerUsage {
  readonly name: string;
  /** CPU in use, in billionths of a core (`usageNanoCores`). */
  readonly cpuNanoCores: number;
  /** Working-set memory in bytes (what the OOM killer and `kubectl top` count). */
  readonly memoryBytes: number;
}

/** One pod's usage sample, per container. */
export interface PodUsage {
  readonly namespace: string;
  readonly name: string;
  /** When the sample was taken (ms since the epoch). */
  readonly timestampMs: number;
  /** The span the CPU rate was measured over (ms). */
  readonly windowMs: number;
  readonly containers: readonly ContainerUsage[];
}

/** One node's usage sample. */
export interface NodeUsage {
  readonly name: string;
  readonly timestampMs: number;
  readonly windowMs: number;
  readonly cpuNanoCores: number;
  readonly memoryBytes: number;
}

/**
 * Where the `metrics.k8s.io` API gets its numbers: the latest usage of every node and pod that has
 * one. A node or pod without a sample is simply absent; the source never fails for one of them.
 * The real one scrapes the kubelets' Summary API ({@link KubeletSummarySource}); tests give fakes.
 */
export interface MetricsSource {
  nodes(): Promise<readonly NodeUsage[]>;
  pods(): Promise<readonly PodUsage[]>;
}

/** Inversify token for the {@link MetricsSource}. */
export const MetricsSource = token<MetricsSource>('apiserver/MetricsSource');
