import type {
  corev1,
  CycleState,
  FilterPlugin,
  NodeInfo,
  PluginStatus,
  PreFilterPlugin,
} from '@tugboat/core';

import { skip, statusOf, success } from '../../framework/status.js';

const rejected = statusOf('UnschedulableAndUnresolvable', "node(s) didn't match the requested node name");

/** The NodeName plugin: a pod naming a node in `spec.nodeName` fits only that node. */
export class NodeName implements PreFilterPlugin, FilterPlugin {
  static readonly pluginName = 'NodeName';
  readonly name = NodeName.pluginName;

  preFilter(_state: CycleState, pod: corev1.Pod): PluginStatus {
    return pod.spec?.nodeName ? success : skip;
  }

  filter(_state: unknown, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    const want = pod.spec?.nodeName;
    return !want || want === node.node.metadata?.name ? success : rejected;
  }
}
