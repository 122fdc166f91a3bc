import { ContainerModule } from 'inversify';

import { Scheduler } from './Scheduler.js';
import { SchedulerOptions } from './SchedulerOptions.js';

/**
 * The scheduler's inversify module: binds {@link SchedulerOptions} and a singleton
 * {@link Scheduler} (stopped when unbound). Needs `ApiClient`, `Logger` and the core
 * `SharedInformerFactory` (from `controllerRuntimeModule()`) in the container; call
 * `container.get(Scheduler).start()` to run it.
 */
export function schedulerModule(options: SchedulerOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(SchedulerOptions).toConstantValue(options);
    bind(Scheduler)
      .toSelf()
      .inSingletonScope()
      .onDeactivation((s) => s.stop());
  });
}
