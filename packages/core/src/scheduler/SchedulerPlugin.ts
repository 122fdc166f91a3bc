import type { Node, Pod } from 'kubernetes-types/core/v1.js';

/**
 * The outcome codes of a scheduler plugin, as in kube-scheduler's framework:
 * `Success`; `Error` (internal failure, retried); `Unschedulable` (may fit after preemption or a
 * cluster change); `UnschedulableAndUnresolvable` (preemption cannot help); `Wait` (Permit: hold);
 * `Skip` (this plugin has nothing to do for the pod).
 */
export type StatusCode = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip';

/** A plugin's verdict. Expected outcomes are values, never exceptions. */
export interface PluginStatus {
  readonly code: StatusCode;
  /** Human reasons, aggregated into `0/5 nodes are available: 3 Insufficient cpu, …`. */
  readonly reasons: readonly string[];
  /** The plugin that produced a failure. */
  readonly plugin?: string;
}

/** Per-cycle scratch space shared by the plugins of one scheduling attempt. */
export interface CycleState {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed read of a shared bag
  read<T>(key: string): T | undefined;
  write(key: string, value: unknown): void;
}

/** A node with the pods the scheduler's cache counts on it, and their summed requests. */
export interface NodeInfo {
  readonly node: Node;
  readonly pods: readonly Pod[];
  /** Summed requests by resource name, in canonical units (cpu: millicores; others: bytes/count). */
  readonly requested: Readonly<Record<string, number>>;
  /** Allocatable by resource name, same units. */
  readonly allocatable: Readonly<Record<string, number>>;
  /** `protocol/ip/port` keys of host ports in use. */
  readonly usedPorts: ReadonlySet<string>;
}

/** The root of every plugin: a name unique in the registry. */
export interface Plugin {
  readonly name: string;
}

/** Orders the active queue. */
export interface QueueSortPlugin extends Plugin {
  less(a: Pod, b: Pod): boolean;
}

/** Computes per-pod state once per cycle; may reject the pod outright. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod): PluginStatus;
}

/** Rejects nodes that cannot run the pod. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo): PluginStatus;
}

/** Runs when no node fits (preemption). May nominate a node. */
export interface PostFilterPlugin extends Plugin {
  postFilter(
    state: CycleState,
    pod: Pod,
    filteredStatuses: ReadonlyMap<string, PluginStatus>,
  ): Promise<{ status: PluginStatus; nominatedNodeName?: string }>;
}

/** Prepares scoring state for the feasible nodes. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): PluginStatus;
}

/** Scores a feasible node, 0–100 after normalisation. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** Rescales raw scores in place to 0–100. */
  normalizeScores?(state: CycleState, pod: Pod, scores: Map<string, number>): void;
}

/** Claims resources for a pod on the chosen node; `unreserve` must be idempotent. */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): PluginStatus;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

/** Approves, denies or delays binding. */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: Pod, nodeName: string): { status: PluginStatus; timeoutMs?: number };
}

/** Binds the pod to the node; returns `Skip` to let the next binder act. */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<PluginStatus>;
}

/** Helpers to build {@link PluginStatus} values. */
export const pluginStatus = {
  success: (): PluginStatus => ({ code: 'Success', reasons: [] }),
  of: (code: StatusCode, ...reasons: string[]): PluginStatus => ({ code, reasons }),
  isSuccess: (s: PluginStatus | undefined): boolean => s === undefined || s.code === 'Success',
};
