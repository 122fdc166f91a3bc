import type {
  corev1,
  CycleState,
  FilterPlugin,
  NodeInfo,
  PluginStatus,
  PreFilterPlugin,
} from '@tugboat/core';

import { skip, statusOf, success } from '../../framework/status.js';
import { podInfoOf, portConflicts } from '../../internal/podInfo.js';

const rejected = statusOf('Unschedulable', "node(s) didn't have free ports for the requested pod ports");

/** The NodePorts plugin: a pod's host ports must be free on the node (`0.0.0.0` clashes with any IP). */
export class NodePorts implements PreFilterPlugin, FilterPlugin {
  static readonly pluginName = 'NodePorts';
  readonly name = NodePorts.pluginName;

  preFilter(_state: CycleState, pod: corev1.Pod): PluginStatus {
    return podInfoOf(pod).hostPorts.length === 0 ? skip : success;
  }

  filter(_state: unknown, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    const ports = podInfoOf(pod).hostPorts;
    for (let i = 0; i < ports.length; i++) {
      if (portConflicts(ports[i] as string, node.usedPorts)) return rejected;
    }
    return success;
  }
}
