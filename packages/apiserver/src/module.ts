import { ApiClient, Logger, Store, silentLogger } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { EvictionEndpoint } from './eviction/EvictionEndpoint.js';
import { InProcessApiClient } from './client/InProcessApiClient.js';
import { Registry, type RegistryOptions } from './registry/Registry.js';
import { ServiceAllocation } from './allocators/ServiceAllocation.js';
import { ServiceAllocator, type ServiceAllocatorOptions } from './allocators/ServiceAllocator.js';
import { ResourceRegistry } from './registry/ResourceRegistry.js';

/**
 * Options of {@link apiserverModule}: the registry's options and Service allocation
 * (`serviceClusterIpRange`, `serviceNodePortRange`; `allocateServices: false` turns it off).
 */
export type ApiserverOptions = RegistryOptions &
  ServiceAllocatorOptions & { readonly allocateServices?: boolean };

/**
 * The apiserver's inversify module: binds the {@link ResourceRegistry}, the {@link Registry} and
 * `ApiClient` to the {@link InProcessApiClient}. Needs `Store` and `Logger` in the container.
 */
export function apiserverModule(options: ApiserverOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(ResourceRegistry)
      .toDynamicValue(() => new ResourceRegistry())
      .inSingletonScope();
    bind(ServiceAllocator)
      .toDynamicValue(
        (ctx) =>
          new ServiceAllocator(ctx.get(Store), ctx.get(Logger, { optional: true }) ?? silentLogger, options),
      )
      .inSingletonScope()
      .onDeactivation((allocator) => {
        allocator.stop();
      });
    bind(Registry)
      .toDynamicValue(
        (ctx) =>
          new Registry(
            ctx.get(Store),
            ctx.get(ResourceRegistry),
            ctx.get(Logger, { optional: true }) ?? silentLogger,
            options.allocateServices === false
              ? options
              : {
                  ...options,
                  admissionPlugins: [
                    ...(options.admissionPlugins ?? []),
                    new ServiceAllocation(ctx.get(ServiceAllocator)),
                  ],
                },
          ),
      )
      .inSingletonScope()
      .onActivation((_ctx, registry) => {
        registry.serveEndpoints([new EvictionEndpoint(() => new InProcessApiClient(registry))]);
        return registry;
      });
    bind(InProcessApiClient)
      .toDynamicValue((ctx) => new InProcessApiClient(ctx.get(Registry)))
      .inSingletonScope();
    bind(ApiClient).toService(InProcessApiClient);
  });
}
