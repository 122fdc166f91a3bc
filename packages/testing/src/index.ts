/* Runtime conformance suite and local test images (area F1: runtime) */
export { describeRuntimeConformance } from './runtime/describeRuntimeConformance.js';
export {
  RuntimeHarness,
  defaultWaitMs,
  type HarnessContainerOptions,
  type HarnessSandbox,
  type RuntimeConformanceFactory,
  type RuntimeConformanceSetup,
} from './runtime/RuntimeHarness.js';
export { invalidImageRef, missingImageRef } from './runtime/cases/imageCases.js';
export {
  buildImages,
  busyboxImageRef,
  pauseImageRef,
  type BuildImagesOptions,
  type BuiltImage,
  type BuiltImages,
} from './images/buildImages.js';
export { importIntoContainerd } from './images/importImages.js';

/* Docker image import through the Engine API (area F3: runtime-docker) */
export { importIntoDocker } from './images/importIntoDocker.js';

/* Real etcd for tests: single member (process or container) and loopback clusters (area E: store-etcd) */
export { EtcdProcess, type EtcdMemberSpec, type EtcdServerTls } from './etcd/EtcdProcess.js';
export { buildEtcdImage, dockerHost, etcdImageRef } from './etcd/etcdImage.js';
export { freePorts } from './etcd/freePorts.js';
export { startEtcd, type EtcdHandle, type EtcdMode, type StartEtcdOptions } from './etcd/startEtcd.js';
export { startEtcdCluster, type EtcdCluster } from './etcd/startEtcdCluster.js';
export { waitForEtcdHealth } from './etcd/waitForEtcdHealth.js';

/* Store conformance suite (area B: store-memory) */
export { describeStoreConformance } from './store/describeStoreConformance.js';
export {
  EventCollector,
  expectApiError,
  type StoreCaseContext,
  type StoreConformanceFactory,
  type StoreConformanceSetup,
} from './store/storeHelpers.js';

/* ApiClient conformance suite (area H1: apiserver HTTP front and client) */
export { describeApiClientConformance } from './api/describeApiClientConformance.js';
export type {
  ApiClientConformanceFactory,
  ApiClientConformanceSetup,
} from './api/ApiClientConformanceFactory.js';

/* A real image registry on loopback for pull tests, and images to push into it (area R: registry) */
export { buildTestImage, type TestImage, type TestImageOptions } from './registry/buildTestImage.js';
export {
  describeRegistryPulls,
  type RegistryEndpoint,
  type RegistryPullSetup,
} from './registry/describeRegistryPulls.js';
export { generateRegistryTls, type RegistryTls } from './registry/registryTls.js';
export { startSilentServer, type SilentServer } from './registry/startSilentServer.js';
export {
  startRegistry,
  type PushedImage,
  type RegistryCredentials,
  type StartRegistryOptions,
  type TestRegistry,
} from './registry/startRegistry.js';

/* Waiting for a condition in tests */
export { until } from './wait/until.js';
