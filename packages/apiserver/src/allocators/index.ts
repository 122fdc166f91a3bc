export {
  AllocationKeys,
  allocationPrefix,
  type AllocationKind,
  type AllocationOwner,
  type AllocationRecord,
  type ClaimResult,
} from './AllocationKeys.js';
export { AllocationLedger } from './AllocationLedger.js';
export { AllocationRepair, type RepairReport } from './AllocationRepair.js';
export { ensureKubernetesService, type KubernetesServiceOptions } from './ensureKubernetesService.js';
export { Ipv4Range } from './Ipv4Range.js';
export { PortRange } from './PortRange.js';
export { ServiceAllocation } from './ServiceAllocation.js';
export { ServiceAllocator, type ServiceAllocatorOptions } from './ServiceAllocator.js';
