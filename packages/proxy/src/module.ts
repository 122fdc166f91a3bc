import { ApiClient, Logger, silentLogger } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { Proxy } from './Proxy.js';
import { ProxyOptions } from './ProxyOptions.js';

/**
 * The proxy's inversify module: binds {@link Proxy} (singleton; call `start()`) built from these
 * options, the container's `ApiClient` and `Logger`. Unbinding stops it.
 */
export function proxyModule(options: Omit<ProxyOptions, 'client'>): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(ProxyOptions).toConstantValue(options);
    bind(Proxy)
      .toDynamicValue(
        (ctx) =>
          new Proxy({
            ...ctx.get(ProxyOptions),
            client: ctx.get(ApiClient),
            logger: ctx.get(Logger, { optional: true }) ?? options.logger ?? silentLogger,
          }),
      )
      .inSingletonScope()
      .onDeactivation((proxy) => proxy.stop());
  });
}
