export { ContainerdRuntime } from './ContainerdRuntime.js';
export { defaultContainerdSocket, type ContainerdRuntimeOptions } from './ContainerdRuntimeOptions.js';
export { containerdRuntimeModule } from './module.js';
