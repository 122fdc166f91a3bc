export { ClusterDns, type ClusterDnsOptions } from './ClusterDns.js';
export { ensureClusterDnsService, type ClusterDnsServiceOptions } from './ensureClusterDnsService.js';
export { proxyModule } from './module.js';
export { Proxy } from './Proxy.js';
export { ProxyMetrics, type ByteDirection } from './ProxyMetrics.js';
export { ProxyOptions } from './ProxyOptions.js';
export { ServiceInterface, type ServiceInterfaceOptions } from './ServiceInterface.js';
export { EndpointPicker, endpointKey, type Endpoint } from './internal/EndpointPicker.js';
export { serviceTable, serviceNameLabel, type ServicePortEntry } from './internal/serviceTable.js';
