import { ContainerModule } from 'inversify';

import { Dashboard } from './Dashboard.js';

/**
 * The dashboard's inversify module: binds {@link Dashboard} (one per container), for the
 * composition that starts the API server to pass in `nonResourceHandlers`.
 */
export function dashboardModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(Dashboard)
      .toDynamicValue(() => new Dashboard())
      .inSingletonScope();
  });
}
