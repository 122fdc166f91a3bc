import type { Node, Pod } from 'kubernetes-types/core/v1.js';

import type { ApiClient } from '../api/ApiClient.js';
import type { Logger } from '../log/Logger.js';

/**
 * The outcome codes of a scheduler plugin, as in kube-scheduler's framework:
 * `Success`; `Error` (internal failure, retried); `Unschedulable` (may fit after preemption or a
 * cluster change); `UnschedulableAndUnresolvable` (preemption cannot help); `Wait` (Permit: hold);
 * `Skip` (this plugin has nothing to do for the pod).
 */
export type StatusCode =
  'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip';

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

/**
 * A pod as the scheduler's cache counts it: the pod, its requests parsed once into canonical
 * units, and the host ports it binds.
 */
export interface PodInfo {
  readonly pod: Pod;
  /** max(sum of containers, max of init containers) + overhead, by resource (cpu: millicores). */
  readonly requests: Readonly<Record<string, number>>;
  /** cpu and memory with upstream's non-zero defaults (100m, 200Mi) for scoring. */
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  /** `protocol/ip/port` keys of the host ports the pod binds. */
  readonly hostPorts: readonly string[];
  /** Whether the pod has any (anti-)affinity, and any required anti-affinity. */
  readonly hasAffinity: boolean;
  readonly hasRequiredAntiAffinity: boolean;
}

/** A node with the pods the scheduler's cache counts on it, and their summed requests. */
export interface NodeInfo {
  readonly node: Node;
  readonly pods: readonly PodInfo[];
  /** Summed requests by resource name, in canonical units (cpu: millicores; others: bytes/count). */
  readonly requested: Readonly<Record<string, number>>;
  /** Summed non-zero cpu (millicores) and memory (bytes), the figures scoring uses. */
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  /** Allocatable by resource name, same units. */
  readonly allocatable: Readonly<Record<string, number>>;
  /** `protocol/ip/port` keys of host ports in use. */
  readonly usedPorts: ReadonlySet<string>;
  /** The pods with any (anti-)affinity, the ones InterPodAffinity must look at. */
  readonly podsWithAffinity: readonly PodInfo[];
}

/** The cluster as one scheduling cycle sees it: every schedulable node's {@link NodeInfo}. */
export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** Nodes holding at least one pod with (anti-)affinity. */
  readonly nodesWithAffinityPods: readonly NodeInfo[];
}

/** The root of every plugin: a name unique in the registry. */
export interface Plugin {
  readonly name: string;
}

/** A pod waiting in the scheduling queue, as QueueSort sees it. */
export interface QueuedPod {
  readonly pod: Pod;
  /** When the pod entered the queue (ms since the epoch). */
  readonly timestamp: number;
}

/** Orders the active queue. */
export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPod, b: QueuedPod): boolean;
}

/**
 * Computes per-pod state once per cycle (usually over the whole snapshot); may reject the pod
 * outright, or return `Skip` so its Filter is not run for this pod.
 */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): PluginStatus;
  /** Keeps PreFilter state right while preemption removes or re-adds pods to a node. */
  readonly preFilterExtensions?: PreFilterExtensions;
}

/** Incremental updates of a PreFilter plugin's state, used while simulating preemption. */
export interface PreFilterExtensions {
  addPod(state: CycleState, pod: Pod, podToAdd: PodInfo, node: NodeInfo): void;
  removePod(state: CycleState, pod: Pod, podToRemove: PodInfo, node: NodeInfo): void;
}

/** Rejects nodes that cannot run the pod. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo): PluginStatus;
}

/** What a PostFilter plugin (preemption) achieved. */
export interface PostFilterResult {
  readonly status: PluginStatus;
  readonly nominatedNodeName?: string;
}

/** Runs when no node fits (preemption). May nominate a node. */
export interface PostFilterPlugin extends Plugin {
  postFilter(
    state: CycleState,
    pod: Pod,
    filteredStatuses: ReadonlyMap<string, PluginStatus>,
  ): Promise<PostFilterResult>;
}

/** Prepares scoring state for the feasible nodes; `Skip` leaves this plugin's Score out. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): PluginStatus;
}

/** Scores a feasible node, 0–100 after normalisation. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** Rescales raw scores in place to 0–100; `scores[i]` belongs to `nodes[i]`. */
  normalizeScores?(state: CycleState, pod: Pod, scores: Float64Array): void;
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

/**
 * A pod held at Permit (a plugin returned `Wait`), as upstream's waitingPod: binding goes ahead
 * once every waiting plugin has allowed it; one rejection, or the timeout, fails the attempt.
 */
export interface WaitingPod {
  readonly pod: Pod;
  /** The node the pod is reserved on. */
  readonly nodeName: string;
  /** The plugins that have not allowed the pod yet. */
  readonly pendingPlugins: readonly string[];
  /** Lets binding proceed as far as `pluginName` is concerned. */
  allow(pluginName: string): void;
  /** Fails the scheduling attempt: the pod is unreserved and goes back to the queue. */
  reject(pluginName: string, message: string): void;
}

/** Binds the pod to the node; returns `Skip` to let the next binder act. */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<PluginStatus>;
}

/** What the framework offers a plugin when it is built: the API, a logger, the cycle's view. */
export interface FrameworkHandle {
  readonly client: ApiClient;
  readonly logger: Logger;
  /** The snapshot of the cycle in progress. */
  snapshot(): Snapshot;
  /** Runs the profile's PreFilter extensions and Filter plugins on one node (for preemption). */
  runFilters(state: CycleState, pod: Pod, node: NodeInfo): PluginStatus;
  /** Runs every PreFilter extension's `addPod`/`removePod` (for preemption). */
  runPreFilterAddPod(state: CycleState, pod: Pod, podToAdd: PodInfo, node: NodeInfo): void;
  runPreFilterRemovePod(state: CycleState, pod: Pod, podToRemove: PodInfo, node: NodeInfo): void;
  /** The pod with this uid waiting at Permit, if any. */
  getWaitingPod?(uid: string): WaitingPod | undefined;
  /** Calls `fn` for every pod waiting at Permit. */
  iterateOverWaitingPods?(fn: (pod: WaitingPod) => void): void;
}

/** Builds a plugin from its profile arguments: what a registry maps a plugin name to. */
export type PluginFactory = (args: unknown, handle: FrameworkHandle) => Plugin;

/** Helpers to build {@link PluginStatus} values. */
export const pluginStatus = {
  success: (): PluginStatus => ({ code: 'Success', reasons: [] }),
  of: (code: StatusCode, ...reasons: string[]): PluginStatus => ({ code, reasons }),
  isSuccess: (s: PluginStatus | undefined): boolean => s === undefined || s.code === 'Success',
};
