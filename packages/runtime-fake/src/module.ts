import { Runtime } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { FakeRuntime, type FakeRuntimeOptions } from './FakeRuntime.js';

/**
 * The inversify module binding {@link Runtime} to a {@link FakeRuntime} (a singleton, closed on
 * deactivation), for orchestrators and tests that want a simulated node.
 */
export function fakeRuntimeModule(options: FakeRuntimeOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(FakeRuntime)
      .toDynamicValue(() => new FakeRuntime(options))
      .inSingletonScope()
      .onDeactivation((runtime) => runtime.close());
    bind(Runtime).toService(FakeRuntime);
  });
}
