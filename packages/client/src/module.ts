import { ApiClient } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { HttpApiClient } from './HttpApiClient.js';
import { HttpClientOptions } from './HttpClientOptions.js';

/**
 * The client's inversify module: binds `ApiClient` to an {@link HttpApiClient} for a remote API
 * server, so a component composed with it runs in another process or machine unchanged.
 */
export function clientModule(options: HttpClientOptions): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(HttpClientOptions).toConstantValue(options);
    bind(HttpApiClient)
      .toDynamicValue((ctx) => new HttpApiClient(ctx.get(HttpClientOptions)))
      .inSingletonScope();
    bind(ApiClient).toService(HttpApiClient);
  });
}
