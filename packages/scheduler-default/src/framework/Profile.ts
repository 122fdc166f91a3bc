/** A plugin enabled in a profile, with its score weight (default 1). */
export interface PluginRef {
  readonly name: string;
  readonly weight?: number;
}

/**
 * A scheduling profile, as upstream's KubeSchedulerProfile with multi-point plugins: the
 * scheduler name pods select it by, plugins enabled beyond (or disabled from) the default set,
 * and per-plugin arguments.
 */
export interface ProfileConfig {
  readonly schedulerName: string;
  readonly plugins?: {
    /** Added to the default set (a default's weight is overridden by naming it again). */
    readonly enabled?: readonly PluginRef[];
    /** Removed from the default set; `*` removes every default. */
    readonly disabled?: readonly string[];
  };
  /** Arguments by plugin name, passed to the plugin's factory. */
  readonly pluginArgs?: Readonly<Record<string, unknown>>;
  /** 0 (adaptive, the default) or 1–100. */
  readonly percentageOfNodesToScore?: number;
}

/** The plugins and weights of upstream's default profile (the ones Tugboat implements). */
export const defaultPlugins: readonly PluginRef[] = [
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'DefaultBinder' },
];

/** The name of the default profile's scheduler. */
export const defaultSchedulerName = 'default-scheduler';

/** The plugins a profile runs, in order, with weights. */
export function resolvePlugins(profile: ProfileConfig): PluginRef[] {
  const disabled = new Set(profile.plugins?.disabled ?? []);
  const out: PluginRef[] = disabled.has('*') ? [] : defaultPlugins.filter((p) => !disabled.has(p.name));
  for (const extra of profile.plugins?.enabled ?? []) {
    const i = out.findIndex((p) => p.name === extra.name);
    if (i >= 0) out[i] = extra;
    else out.push(extra);
  }
  return out;
}

/**
 * How many feasible nodes to look for, as upstream's numFeasibleNodesToFind: all of them under
 * 100 nodes; otherwise `percentage` of them (adaptive when 0: 50% − nodes/125, at least 5%),
 * and never fewer than 100.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  const minFeasibleNodesToFind = 100;
  if (numAllNodes < minFeasibleNodesToFind || percentage >= 100) return numAllNodes;
  let p = percentage;
  if (p <= 0) {
    p = 50 - Math.floor(numAllNodes / 125);
    if (p < 5) p = 5;
  }
  const n = Math.floor((numAllNodes * p) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}
