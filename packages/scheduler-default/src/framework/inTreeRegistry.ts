import { ApiError } from '@tugboat/core';

import { DefaultBinder } from '../plugins/defaultBinder/DefaultBinder.js';
import { DefaultPreemption } from '../plugins/defaultPreemption/DefaultPreemption.js';
import { InterPodAffinity } from '../plugins/interPodAffinity/InterPodAffinity.js';
import { NodeResourcesBalancedAllocation } from '../plugins/balancedAllocation/NodeResourcesBalancedAllocation.js';
import { NodeAffinity } from '../plugins/nodeAffinity/NodeAffinity.js';
import { NodeName } from '../plugins/nodeName/NodeName.js';
import { NodePorts } from '../plugins/nodePorts/NodePorts.js';
import { NodeResourcesFit } from '../plugins/nodeResourcesFit/NodeResourcesFit.js';
import { NodeUnschedulable } from '../plugins/nodeUnschedulable/NodeUnschedulable.js';
import { PodTopologySpread } from '../plugins/podTopologySpread/PodTopologySpread.js';
import { PrioritySort } from '../plugins/prioritySort/PrioritySort.js';
import { TaintToleration } from '../plugins/taintToleration/TaintToleration.js';
import { PluginRegistry } from './PluginRegistry.js';

/** A plugin's arguments as an object; anything else is a typed `Invalid` error. */
function objectArgs(plugin: string, args: unknown): object {
  if (args === undefined || args === null) return {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new ApiError('Invalid', `${plugin}: plugin arguments must be an object`);
  }
  return args;
}

/** A fresh registry holding every in-tree plugin under its upstream name. */
export function inTreeRegistry(): PluginRegistry {
  return new PluginRegistry()
    .register(PrioritySort.pluginName, () => new PrioritySort())
    .register(NodeUnschedulable.pluginName, () => new NodeUnschedulable())
    .register(NodeName.pluginName, () => new NodeName())
    .register(TaintToleration.pluginName, () => new TaintToleration())
    .register(NodeAffinity.pluginName, () => new NodeAffinity())
    .register(NodePorts.pluginName, () => new NodePorts())
    .register(
      NodeResourcesFit.pluginName,
      (args) => new NodeResourcesFit(objectArgs(NodeResourcesFit.pluginName, args)),
    )
    .register(NodeResourcesBalancedAllocation.pluginName, () => new NodeResourcesBalancedAllocation())
    .register(PodTopologySpread.pluginName, (_args, h) => new PodTopologySpread(() => h.snapshot()))
    .register(InterPodAffinity.pluginName, (_args, h) => new InterPodAffinity(() => h.snapshot()))
    .register(DefaultPreemption.pluginName, (_args, h) => new DefaultPreemption(h))
    .register(DefaultBinder.pluginName, (_args, h) => new DefaultBinder(h.client));
}
