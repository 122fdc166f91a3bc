import { ContainerModule } from 'inversify';
import { Runtime } from '@tugboat/core';

import { DockerRuntime } from './DockerRuntime.js';
import { DockerRuntimeOptions } from './DockerRuntimeOptions.js';

/** Binds {@link Runtime} to a singleton {@link DockerRuntime} configured by `options`. */
export function runtimeDockerModule(options: DockerRuntimeOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(DockerRuntimeOptions).toConstantValue(options);
    bind(DockerRuntime).toSelf().inSingletonScope();
    bind(Runtime).toService(DockerRuntime);
  });
}
