import { Logger, Store } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { etcdStoreOptions, type EtcdUrlOptions } from './createEtcdStore.js';
import { EtcdStore } from './EtcdStore.js';

/**
 * The inversify module binding {@link Store} to an {@link EtcdStore} on `url` (a singleton). The store
 * connects lazily; call `await store.ready()` (it is an `EtcdStore`) to check the endpoints at start.
 * The container's {@link Logger} is used when bound and no `logger` option is given.
 */
export function etcdStoreModule(url: string, options: EtcdUrlOptions = {}): ContainerModule {
  const resolved = etcdStoreOptions(url, options);
  return new ContainerModule(({ bind }) => {
    bind(EtcdStore)
      .toDynamicValue((ctx) => {
        const logger = resolved.logger ?? ctx.get<Logger>(Logger, { optional: true });
        return new EtcdStore(logger ? { ...resolved, logger } : resolved);
      })
      .inSingletonScope()
      .onDeactivation((store) => store.close());
    bind(Store).toService(EtcdStore);
  });
}
