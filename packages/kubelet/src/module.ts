import { ApiClient, Logger, Runtime } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { Kubelet } from './Kubelet.js';
import type { KubeletOptions } from './KubeletOptions.js';

/** Options of {@link kubeletModule}: the kubelet's, where the client and runtime may come from the container. */
export type KubeletModuleOptions = Omit<KubeletOptions, 'client' | 'runtime'> &
  Partial<Pick<KubeletOptions, 'client' | 'runtime'>>;

/**
 * The kubelet's inversify module: binds {@link Kubelet} as a singleton. The `ApiClient`, `Runtime`
 * and `Logger` come from the options when given, else from the container's `ApiClient`, `Runtime`
 * and (optional) `Logger` bindings. Nothing starts until `Kubelet.start()` is called.
 */
export function kubeletModule(options: KubeletModuleOptions): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(Kubelet)
      .toDynamicValue((ctx) => {
        const logger = options.logger ?? ctx.get(Logger, { optional: true });
        return new Kubelet({
          ...options,
          client: options.client ?? ctx.get(ApiClient),
          runtime: options.runtime ?? ctx.get(Runtime),
          ...(logger ? { logger } : {}),
        });
      })
      .inSingletonScope();
  });
}
