/**
 * @tugboat/test-cluster: a real Tugboat cluster in the test's own process — HTTPS API server on a
 * free loopback port, optional controllers, scheduler and simulated nodes — for integration tests.
 */
export { createTestCluster } from './createTestCluster.js';
export type { TestCluster, TestClusterOptions, TestNode } from './TestClusterOptions.js';
export { testPki, testPkiDir } from './testPki.js';
export { TestClusterFactory, testClusterModule } from './module.js';
