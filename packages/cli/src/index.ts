export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './startControlPlane.js';
export { startCluster, type Cluster, type ClusterOptions } from './startCluster.js';
export {
  selectRuntime,
  shortReason,
  tugboatDockerSocket,
  type SelectRuntimeOptions,
  type SelectedRuntime,
} from './selectRuntime.js';
export { runtimeChoices, type RuntimeChoice } from './runtimeChoice.js';
