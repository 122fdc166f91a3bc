import {
  ignoreNotFound,
  resources,
  type corev1,
  type CycleState,
  type policyv1,
  type FrameworkHandle,
  type PluginStatus,
  type PostFilterPlugin,
  type PostFilterResult,
} from '@tugboat/core';

import { fitErrorMessage } from '../../framework/fitErrorMessage.js';
import { statusOf } from '../../framework/status.js';
import { disruptionBudgets } from './disruptionBudgets.js';
import { pickBest, selectVictims, type Victims } from './selectVictims.js';

const notHelpful = 'Preemption is not helpful for scheduling';
const noVictims = 'No preemption victims found for incoming pod';

/**
 * The DefaultPreemption plugin (PostFilter): when no node fits, finds the node where evicting the
 * fewest, lowest-priority pods lets the pod fit, deletes those pods (graceful deletion) and sets
 * the pod's `status.nominatedNodeName`. Nodes rejected as unresolvable are not considered; among
 * the rest, evictions that keep every PodDisruptionBudget are preferred.
 */
export class DefaultPreemption implements PostFilterPlugin {
  static readonly pluginName = 'DefaultPreemption';
  readonly name = DefaultPreemption.pluginName;

  constructor(private readonly handle: FrameworkHandle) {}

  async postFilter(
    state: CycleState,
    pod: corev1.Pod,
    statuses: ReadonlyMap<string, PluginStatus>,
  ): Promise<PostFilterResult> {
    if (pod.spec?.preemptionPolicy === 'Never') {
      return { status: statusOf('Unschedulable', 'preemption: not eligible due to preemptionPolicy=Never.') };
    }
    const snapshot = this.handle.snapshot();
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      // A previous preemption is still draining that node: wait for it rather than evict more.
      const n = snapshot.get(nominated);
      const priority = pod.spec?.priority ?? 0;
      if (n?.pods.some((p) => p.pod.metadata?.deletionTimestamp && (p.pod.spec?.priority ?? 0) < priority)) {
        return { status: statusOf('Unschedulable', 'preemption: waiting for victims to terminate.') };
      }
    }
    const budgets = disruptionBudgets(await this.listBudgets(), snapshot);
    const found: Victims[] = [];
    const why = new Map<string, PluginStatus>();
    const notHelpfulStatus = statusOf('UnschedulableAndUnresolvable', notHelpful);
    const noVictimsStatus = statusOf('Unschedulable', noVictims);
    for (const node of snapshot.nodes) {
      const name = node.node.metadata?.name ?? '';
      if (statuses.get(name)?.code === 'UnschedulableAndUnresolvable') {
        why.set(name, notHelpfulStatus);
        continue;
      }
      const v = selectVictims(this.handle, state, pod, node, budgets);
      if (v === undefined) why.set(name, noVictimsStatus);
      else found.push(v);
    }
    const best = pickBest(found);
    if (best === undefined) {
      return {
        status: statusOf('Unschedulable', `preemption: ${fitErrorMessage(snapshot.nodes.length, why)}`),
      };
    }
    const nodeName = best.node.node.metadata?.name ?? '';
    await Promise.all(
      best.pods.map((v) =>
        this.handle.client
          .delete(resources.Pods, v.pod.metadata?.name ?? '', {
            namespace: v.pod.metadata?.namespace ?? 'default',
            preconditions: { uid: v.pod.metadata?.uid ?? '' },
          })
          .catch(ignoreNotFound),
      ),
    );
    await this.handle.client
      .patch(
        resources.Pods,
        pod.metadata?.name ?? '',
        'merge',
        { status: { nominatedNodeName: nodeName } },
        { namespace: pod.metadata?.namespace ?? 'default', subresource: 'status' },
      )
      .catch(ignoreNotFound);
    return { status: { code: 'Success', reasons: [] }, nominatedNodeName: nodeName };
  }

  /** Every PodDisruptionBudget; none when they cannot be read (preemption goes on without them). */
  private async listBudgets(): Promise<policyv1.PodDisruptionBudget[]> {
    try {
      return (await this.handle.client.list(resources.PodDisruptionBudgets)).items;
    } catch (err) {
      this.handle.logger.warn('preemption: cannot list PodDisruptionBudgets', { error: String(err) });
      return [];
    }
  }
}
