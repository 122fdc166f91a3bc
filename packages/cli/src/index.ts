export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './startControlPlane.js';
export {
  startCluster,
  startComposedCluster,
  type Cluster,
  type ClusterOptions,
  type ComposedCluster,
  type ComposedClusterOptions,
} from './startCluster.js';
export {
  clusterComponents,
  loadUpConfig,
  tugConfigApiVersion,
  tugConfigKind,
  type ClusterComponent,
  type UpConfig,
} from './upConfig.js';
export {
  selectRuntime,
  shortReason,
  tugboatDockerSocket,
  type SelectRuntimeOptions,
  type SelectedRuntime,
} from './selectRuntime.js';
export { runtimeChoices, type RuntimeChoice } from './runtimeChoice.js';
