import type { corev1, FrameworkHandle, NodeInfo, PluginStatus, PodInfo } from '@tugboat/core';

import { MutableNodeInfo } from '../cache/MutableNodeInfo.js';
import type { CycleStateImpl } from './CycleStateImpl.js';
import type { Nominator } from './Nominator.js';

const priorityOf = (p: corev1.Pod): number => p.spec?.priority ?? 0;

/**
 * Upstream's RunFilterPluginsWithNominatedPods: when pods of higher or equal priority are
 * nominated to the node, the filters run first as if they were already there (so the room
 * preemption made is kept for them), and then without them (so that anti-affinity to a pod that
 * may never arrive does not block this one).
 */
export function filterWithNominated(
  handle: FrameworkHandle,
  nominator: Nominator,
  state: CycleStateImpl,
  pod: corev1.Pod,
  node: NodeInfo,
): PluginStatus {
  if (nominator.empty) return handle.runFilters(state, pod, node);
  const nominated = nominator.forNode(node.node.metadata?.name ?? '');
  if (nominated === undefined) return handle.runFilters(state, pod, node);
  const uid = pod.metadata?.uid;
  const priority = priorityOf(pod);
  const add: PodInfo[] = [];
  for (const p of nominated) if (p.pod.metadata?.uid !== uid && priorityOf(p.pod) >= priority) add.push(p);
  if (add.length === 0) return handle.runFilters(state, pod, node);
  const withThem = node instanceof MutableNodeInfo ? node.clone() : copyOf(node);
  const sim = state.clone();
  for (const p of add) {
    withThem.addPod(p);
    handle.runPreFilterAddPod(sim, pod, p, withThem);
  }
  const first = handle.runFilters(sim, pod, withThem);
  if (first.code !== 'Success') return first;
  return handle.runFilters(state, pod, node);
}

function copyOf(info: NodeInfo): MutableNodeInfo {
  const c = new MutableNodeInfo(info.node.metadata?.name ?? '');
  c.setNode(info.node);
  for (const p of info.pods) c.addPod(p);
  return c;
}
