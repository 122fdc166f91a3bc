export { EtcdStore } from './EtcdStore.js';
export {
  defaultMaxRequestBytes,
  type EtcdStoreOptions,
  type EtcdTlsOptions,
  type PemSource,
} from './EtcdStoreOptions.js';
export { createEtcdStore, etcdStoreOptions, parseEtcdUrl, type EtcdUrlOptions } from './createEtcdStore.js';
export { etcdStoreModule } from './module.js';
