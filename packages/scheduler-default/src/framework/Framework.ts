import {
  ApiError,
  type ApiClient,
  type BindPlugin,
  type corev1,
  type CycleState,
  type FilterPlugin,
  type FrameworkHandle,
  type Logger,
  type NodeInfo,
  type PermitPlugin,
  type Plugin,
  type PluginStatus,
  type PodInfo,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
  type Snapshot,
  type WaitingPod,
} from '@tugboat/core';

import { CycleStateImpl } from './CycleStateImpl.js';
import { filterWithNominated } from './filterWithNominated.js';
import { Nominator } from './Nominator.js';
import type { PluginRegistry } from './PluginRegistry.js';
import { numFeasibleNodesToFind, resolvePlugins, type ProfileConfig } from './Profile.js';
import { success, withPlugin } from './status.js';
import { WaitingPods } from './WaitingPods.js';

/** The outcome of one scheduling cycle's filter and score phases. */
export type ScheduleResult =
  | {
      readonly kind: 'scheduled';
      readonly nodeName: string;
      readonly evaluated: number;
      readonly feasible: number;
    }
  | {
      readonly kind: 'unschedulable';
      readonly numAllNodes: number;
      readonly statuses: ReadonlyMap<string, PluginStatus>;
      readonly preFilterMsg?: string;
      /** A PreFilter rejected the pod (no per-node statuses). */
      readonly preFilterStatus?: PluginStatus;
    };

const has = <K extends string>(p: Plugin, method: K): p is Plugin & Record<K, unknown> =>
  typeof (p as unknown as Record<string, unknown>)[method] === 'function';

/**
 * One profile's plugins, sorted by extension point, and the cycle logic that runs them: PreFilter,
 * Filter over a rotating window of nodes sized by percentageOfNodesToScore, PreScore, Score with
 * normalisation and weights, then Reserve, Permit and Bind. Also the {@link FrameworkHandle}
 * plugins receive.
 */
export class Framework implements FrameworkHandle {
  readonly queueSort: QueueSortPlugin | undefined;
  private readonly preFilters: PreFilterPlugin[] = [];
  private readonly filters: FilterPlugin[] = [];
  private readonly postFilters: PostFilterPlugin[] = [];
  private readonly preScores: PreScorePlugin[] = [];
  private readonly scores: { plugin: ScorePlugin; weight: number }[] = [];
  private readonly reserves: ReservePlugin[] = [];
  private readonly permits: PermitPlugin[] = [];
  private readonly binders: BindPlugin[] = [];
  private readonly percentage: number;
  private nextStartNodeIndex = 0;
  private readonly waiting = new WaitingPods();

  constructor(
    readonly profile: ProfileConfig,
    registry: PluginRegistry,
    readonly client: ApiClient,
    readonly logger: Logger,
    private readonly snapshotOf: () => Snapshot,
    percentageOfNodesToScore = 0,
    /** The pods nominated to nodes, shared by the scheduler's profiles. */
    readonly nominator: Nominator = new Nominator(),
  ) {
    this.percentage = profile.percentageOfNodesToScore ?? percentageOfNodesToScore;
    for (const ref of resolvePlugins(profile)) {
      const factory = registry.get(ref.name);
      if (factory === undefined) {
        throw new ApiError(
          'Invalid',
          `profile "${profile.schedulerName}": unknown scheduler plugin "${ref.name}"`,
        );
      }
      const p = factory(profile.pluginArgs?.[ref.name], this);
      if (has(p, 'less')) this.queueSort ??= p as unknown as QueueSortPlugin;
      if (has(p, 'preFilter')) this.preFilters.push(p as unknown as PreFilterPlugin);
      if (has(p, 'filter')) this.filters.push(p as unknown as FilterPlugin);
      if (has(p, 'postFilter')) this.postFilters.push(p as unknown as PostFilterPlugin);
      if (has(p, 'preScore')) this.preScores.push(p as unknown as PreScorePlugin);
      if (has(p, 'score')) this.scores.push({ plugin: p as unknown as ScorePlugin, weight: ref.weight ?? 1 });
      if (has(p, 'reserve')) this.reserves.push(p as unknown as ReservePlugin);
      if (has(p, 'permit')) this.permits.push(p as unknown as PermitPlugin);
      if (has(p, 'bind')) this.binders.push(p as unknown as BindPlugin);
    }
  }

  snapshot(): Snapshot {
    return this.snapshotOf();
  }

  /** PreFilter, Filter and Score for `pod`: the chosen node, or why none fits. Synchronous. */
  schedulePod(state: CycleStateImpl, pod: corev1.Pod): ScheduleResult {
    const snapshot = this.snapshotOf();
    const nodes = snapshot.nodes;
    const numAllNodes = nodes.length;
    for (const p of this.preFilters) {
      const s = p.preFilter(state, pod, snapshot);
      if (s.code === 'Skip') state.skipFilter.add(p.name);
      else if (s.code !== 'Success') {
        const status = withPlugin(s, p.name);
        if (s.code === 'Error')
          throw new ApiError('Internal', `PreFilter ${p.name}: ${s.reasons.join('; ')}`);
        return {
          kind: 'unschedulable',
          numAllNodes,
          statuses: new Map(),
          preFilterMsg: s.reasons.join(', '),
          preFilterStatus: status,
        };
      }
    }
    const statuses = new Map<string, PluginStatus>();
    if (numAllNodes === 0) return { kind: 'unschedulable', numAllNodes, statuses };

    const feasible: NodeInfo[] = [];
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const n = snapshot.get(nominated);
      if (n !== undefined && this.filterNode(state, pod, n).code === 'Success') {
        return { kind: 'scheduled', nodeName: nominated, evaluated: 1, feasible: 1 };
      }
    }
    const want = numFeasibleNodesToFind(this.percentage, numAllNodes);
    const start = this.nextStartNodeIndex % numAllNodes;
    let processed = 0;
    for (; processed < numAllNodes && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % numAllNodes] as NodeInfo;
      const s = this.filterNode(state, pod, node);
      if (s.code === 'Success') feasible.push(node);
      else {
        if (s.code === 'Error')
          throw new ApiError('Internal', `Filter ${s.plugin ?? ''}: ${s.reasons.join('; ')}`);
        statuses.set(node.node.metadata?.name ?? '', s);
      }
    }
    this.nextStartNodeIndex = (start + processed) % numAllNodes;
    if (feasible.length === 0) return { kind: 'unschedulable', numAllNodes, statuses };
    const only = feasible[0] as NodeInfo;
    if (feasible.length === 1) {
      return {
        kind: 'scheduled',
        nodeName: only.node.metadata?.name ?? '',
        evaluated: processed,
        feasible: 1,
      };
    }
    const best = this.prioritize(state, pod, feasible);
    return {
      kind: 'scheduled',
      nodeName: best.node.metadata?.name ?? '',
      evaluated: processed,
      feasible: feasible.length,
    };
  }

  /** Runs every Filter plugin on one node; the first failure wins, carrying its plugin name. */
  runFilters(state: CycleState, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    if (!(state instanceof CycleStateImpl))
      throw new ApiError('Internal', "runFilters needs the framework's CycleState");
    const impl = state;
    // The filters to run are fixed per cycle once PreFilter is done: compute the list once.
    let filters = impl.activeFilters as FilterPlugin[] | undefined;
    if (filters === undefined) {
      filters = this.filters.filter((f) => !impl.skipFilter.has(f.name));
      impl.activeFilters = filters;
    }
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i] as FilterPlugin;
      const s = f.filter(state, pod, node);
      if (s.code !== 'Success') return withPlugin(s, f.name);
    }
    return success;
  }

  /** The Filter plugins on one node, counting pods nominated there with priority at least the pod's. */
  filterNode(state: CycleStateImpl, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    return filterWithNominated(this, this.nominator, state, pod, node);
  }

  runPreFilterAddPod(state: CycleState, pod: corev1.Pod, podToAdd: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilters) p.preFilterExtensions?.addPod(state, pod, podToAdd, node);
  }

  runPreFilterRemovePod(state: CycleState, pod: corev1.Pod, podToRemove: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilters) p.preFilterExtensions?.removePod(state, pod, podToRemove, node);
  }

  /** Runs the PostFilter plugins until one nominates a node. */
  async runPostFilters(
    state: CycleState,
    pod: corev1.Pod,
    statuses: ReadonlyMap<string, PluginStatus>,
  ): Promise<PostFilterResult | undefined> {
    let last: PostFilterResult | undefined;
    for (const p of this.postFilters) {
      last = await p.postFilter(state, pod, statuses);
      if (last.status.code === 'Success') return last;
    }
    return last;
  }

  private prioritize(state: CycleStateImpl, pod: corev1.Pod, feasible: NodeInfo[]): NodeInfo {
    for (const p of this.preScores) {
      const s = p.preScore(state, pod, feasible);
      if (s.code === 'Skip') state.skipScore.add(p.name);
      else if (s.code !== 'Success')
        throw new ApiError('Internal', `PreScore ${p.name}: ${s.reasons.join('; ')}`);
    }
    const n = feasible.length;
    const total = new Float64Array(n);
    const scores = new Float64Array(n);
    for (const { plugin, weight } of this.scores) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < n; i++) scores[i] = plugin.score(state, pod, feasible[i] as NodeInfo);
      plugin.normalizeScores?.(state, pod, scores);
      for (let i = 0; i < n; i++) total[i] = (total[i] as number) + (scores[i] as number) * weight;
    }
    // Ties are broken at random, as upstream's selectHost (reservoir sampling).
    let best = 0;
    let ties = 1;
    for (let i = 1; i < n; i++) {
      const t = total[i] as number;
      const b = total[best] as number;
      if (t > b) {
        best = i;
        ties = 1;
      } else if (t === b && Math.random() * ++ties < 1) best = i;
    }
    return feasible[best] as NodeInfo;
  }

  /** Runs Reserve; on a failure unreserves everything reserved so far. */
  runReserve(state: CycleState, pod: corev1.Pod, nodeName: string): PluginStatus {
    for (const p of this.reserves) {
      const s = p.reserve(state, pod, nodeName);
      if (s.code !== 'Success') {
        this.runUnreserve(state, pod, nodeName);
        return withPlugin(s, p.name);
      }
    }
    return success;
  }

  runUnreserve(state: CycleState, pod: corev1.Pod, nodeName: string): void {
    for (const p of [...this.reserves].reverse()) {
      try {
        p.unreserve(state, pod, nodeName);
      } catch (err) {
        this.logger.warn('unreserve failed', { plugin: p.name, error: String(err) });
      }
    }
  }

  /**
   * Runs Permit: any rejection wins; when some plugins say `Wait` (and none rejects) the pod is
   * held (see {@link waitOnPermit}) and the result is `Wait`.
   */
  runPermit(state: CycleState, pod: corev1.Pod, nodeName: string): PluginStatus {
    const waits = new Map<string, number>();
    for (const p of this.permits) {
      const { status, timeoutMs } = p.permit(state, pod, nodeName);
      if (status.code === 'Wait') waits.set(p.name, timeoutMs ?? 0);
      else if (status.code !== 'Success') return withPlugin(status, p.name);
    }
    if (waits.size === 0) return success;
    this.waiting.add(pod, nodeName, waits);
    return { code: 'Wait', reasons: [], plugin: [...waits.keys()].join(', ') };
  }

  /** The binding cycle's wait for a held pod's verdict: allowed, rejected, or timed out. */
  async waitOnPermit(pod: corev1.Pod): Promise<PluginStatus> {
    return this.waiting.wait(pod.metadata?.uid ?? '');
  }

  getWaitingPod(uid: string): WaitingPod | undefined {
    return this.waiting.get(uid);
  }

  iterateOverWaitingPods(fn: (pod: WaitingPod) => void): void {
    this.waiting.forEach(fn);
  }

  /** Runs the binders in order until one does not `Skip`. */
  async runBind(state: CycleState, pod: corev1.Pod, nodeName: string): Promise<PluginStatus> {
    for (const p of this.binders) {
      const s = await p.bind(state, pod, nodeName);
      if (s.code !== 'Skip') return withPlugin(s, p.name);
    }
    return { code: 'Error', reasons: ['no bind plugin bound the pod'] };
  }
}
