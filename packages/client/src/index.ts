export { HttpApiClient } from './HttpApiClient.js';
export { HttpClientOptions } from './HttpClientOptions.js';
export { loadKubeconfig, type LoadKubeconfigOptions } from './loadKubeconfig.js';
export { clientModule } from './module.js';
