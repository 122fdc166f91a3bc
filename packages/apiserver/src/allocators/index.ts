export { AllocationLedger } from './AllocationLedger.js';
export { ensureKubernetesService, type KubernetesServiceOptions } from './ensureKubernetesService.js';
export { Ipv4Range } from './Ipv4Range.js';
export { PortRange } from './PortRange.js';
export { ServiceAllocation } from './ServiceAllocation.js';
export { ServiceAllocator, type ServiceAllocatorOptions } from './ServiceAllocator.js';
