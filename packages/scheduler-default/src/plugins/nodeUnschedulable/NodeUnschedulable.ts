import type { corev1, FilterPlugin, NodeInfo, PluginStatus } from '@tugboat/core';

import { statusOf, success } from '../../framework/status.js';
import { tolerates } from '../../internal/tolerations.js';

const unschedulableTaint: corev1.Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const rejected = statusOf('UnschedulableAndUnresolvable', 'node(s) were unschedulable');

/** The NodeUnschedulable plugin: cordoned nodes (`spec.unschedulable`) take only pods that tolerate it. */
export class NodeUnschedulable implements FilterPlugin {
  static readonly pluginName = 'NodeUnschedulable';
  readonly name = NodeUnschedulable.pluginName;

  filter(_state: unknown, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    if (node.node.spec?.unschedulable !== true) return success;
    const ok = (pod.spec?.tolerations ?? []).some((t) => tolerates(t, unschedulableTaint));
    return ok ? success : rejected;
  }
}
