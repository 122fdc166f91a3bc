import { token } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { createTestCluster } from './createTestCluster.js';
import type { TestCluster, TestClusterOptions } from './TestClusterOptions.js';

/** Starts a test cluster with the module's defaults overridden by `options`. */
export type TestClusterFactory = (options?: TestClusterOptions) => Promise<TestCluster>;

/** Inversify token for {@link TestClusterFactory}. */
export const TestClusterFactory = token<TestClusterFactory>('test-cluster/TestClusterFactory');

/**
 * The package's inversify module: binds {@link TestClusterFactory} to `createTestCluster` with
 * `defaults`, for test suites that compose their fixtures in a container.
 */
export function testClusterModule(defaults: TestClusterOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TestClusterFactory).toConstantValue((options = {}) =>
      createTestCluster({ ...defaults, ...options }),
    );
  });
}
