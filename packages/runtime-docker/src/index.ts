export { DockerRuntime } from './DockerRuntime.js';
export { DockerRuntimeOptions, defaultDockerSocket } from './DockerRuntimeOptions.js';
export { runtimeDockerModule } from './module.js';
