export { Scheduler } from './Scheduler.js';
export { SchedulerOptions, type SchedulingAttempt } from './SchedulerOptions.js';
export { schedulerModule } from './module.js';
export { SchedulerCache } from './cache/SchedulerCache.js';
export { MutableNodeInfo } from './cache/MutableNodeInfo.js';
export { PodIndex, type AntiAffinityGroup } from './cache/PodIndex.js';
export {
  SchedulingQueue,
  type QueuedPodInfo,
  type QueueName,
  type SchedulingQueueOptions,
} from './queue/SchedulingQueue.js';
export { Framework, type ScheduleResult } from './framework/Framework.js';
export { CycleStateImpl } from './framework/CycleStateImpl.js';
export { Nominator } from './framework/Nominator.js';
export { WaitingPods, maxPermitTimeoutMs } from './framework/WaitingPods.js';
export { PluginRegistry } from './framework/PluginRegistry.js';
export { inTreeRegistry } from './framework/inTreeRegistry.js';
export {
  defaultPlugins,
  defaultSchedulerName,
  numFeasibleNodesToFind,
  resolvePlugins,
  type PluginRef,
  type ProfileConfig,
} from './framework/Profile.js';
export { fitErrorMessage } from './framework/fitErrorMessage.js';
export { skip, statusOf, success } from './framework/status.js';
export { podInfoOf } from './internal/podInfo.js';
export { PrioritySort } from './plugins/prioritySort/PrioritySort.js';
export { NodeUnschedulable } from './plugins/nodeUnschedulable/NodeUnschedulable.js';
export { NodeName } from './plugins/nodeName/NodeName.js';
export { TaintToleration } from './plugins/taintToleration/TaintToleration.js';
export { NodeAffinity } from './plugins/nodeAffinity/NodeAffinity.js';
export { NodePorts } from './plugins/nodePorts/NodePorts.js';
export { NodeResourcesFit, type NodeResourcesFitArgs } from './plugins/nodeResourcesFit/NodeResourcesFit.js';
export type {
  ResourceSpec,
  ScoringStrategy,
  UtilizationShapePoint,
} from './plugins/nodeResourcesFit/scoring.js';
export { NodeResourcesBalancedAllocation } from './plugins/balancedAllocation/NodeResourcesBalancedAllocation.js';
export { PodTopologySpread } from './plugins/podTopologySpread/PodTopologySpread.js';
export { InterPodAffinity } from './plugins/interPodAffinity/InterPodAffinity.js';
export { DefaultBinder } from './plugins/defaultBinder/DefaultBinder.js';
export { DefaultPreemption } from './plugins/defaultPreemption/DefaultPreemption.js';
