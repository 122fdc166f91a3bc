export { cloudControllerClasses, cloudModule, type CloudOptions } from './module.js';
export {
  LocalCloudProvider,
  type LocalCloudProviderOptions,
  type LocalMachine,
} from './LocalCloudProvider.js';
export { NodeController, NodeControllerOptions, uninitializedTaint } from './node/NodeController.js';
export { loadBalancerCleanupFinalizer, ServiceController } from './service/ServiceController.js';
export { excludeFromLoadBalancersLabel, loadBalancerNodeAddresses } from './service/loadBalancerNodes.js';
