export { ContainerdRuntime } from './ContainerdRuntime.js';
export {
  defaultContainerdSocket,
  defaultRegistryConfigPath,
  type ContainerdRuntimeOptions,
} from './ContainerdRuntimeOptions.js';
export { containerdRuntimeModule } from './module.js';
export { writeRegistryHosts, type RegistryHostConfig, type RegistryMirror } from './writeRegistryHosts.js';
