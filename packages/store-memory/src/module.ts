import { Logger, Store } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { MemoryStore } from './MemoryStore.js';
import { MemoryStoreOptions } from './MemoryStoreOptions.js';

/**
 * The inversify module of store-memory: binds {@link MemoryStoreOptions} to `options`, and both
 * `MemoryStore` and the core `Store` token to one singleton. The store uses the container's
 * `Logger` when one is bound, and is closed when the container unbinds it.
 */
export function memoryStoreModule(options: MemoryStoreOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(MemoryStoreOptions).toConstantValue(options);
    bind(MemoryStore)
      .toDynamicValue((context) => {
        const configured = context.get<MemoryStoreOptions>(MemoryStoreOptions);
        const logger = configured.logger ?? context.get<Logger>(Logger, { optional: true });
        // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a plain options object; the rule mistakes the interface for its same-named token
        return new MemoryStore(logger === undefined ? configured : { ...configured, logger });
      })
      .inSingletonScope()
      .onDeactivation((store) => store.close());
    bind(Store).toService(MemoryStore);
  });
}
