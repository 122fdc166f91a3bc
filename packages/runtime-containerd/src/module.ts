import { Logger, Runtime } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { ContainerdRuntime } from './ContainerdRuntime.js';
import type { ContainerdRuntimeOptions } from './ContainerdRuntimeOptions.js';

/**
 * The inversify module binding {@link Runtime} to a {@link ContainerdRuntime} (a singleton, closed on
 * deactivation). The container's {@link Logger} is used when bound and no `logger` option is given.
 */
export function containerdRuntimeModule(options: ContainerdRuntimeOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(ContainerdRuntime)
      .toDynamicValue((ctx) => {
        const logger = options.logger ?? ctx.get<Logger | undefined>(Logger, { optional: true });
        return new ContainerdRuntime(logger ? { ...options, logger } : options);
      })
      .inSingletonScope()
      .onDeactivation((runtime) => runtime.close());
    bind(Runtime).toService(ContainerdRuntime);
  });
}
