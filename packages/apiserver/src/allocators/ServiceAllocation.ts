import type { corev1 } from '@tugboat/core';

import type { AdmissionAttributes, AdmissionPlugin } from '../admission/AdmissionPlugin.js';
import type { ServiceAllocator } from './ServiceAllocator.js';

/**
 * The admission plugin that gives Services their cluster IPs and NodePorts from a
 * {@link ServiceAllocator} on create and update (upstream does it in the Service storage, right
 * before the write). It runs in the validating phase, after defaulting, the strategy's update
 * preparation and validation, so that once it has taken something (created the items' allocation
 * keys) only the store write itself can still fail, and the keys of such a write are released when
 * its reservation expires; it is the one validating plugin that fills fields in, and it fills only
 * the allocated ones, which validation of the request could not have checked anyway.
 */
export class ServiceAllocation implements AdmissionPlugin {
  readonly name = 'ServiceAllocation';
  readonly phase = 'validating' as const;

  constructor(private readonly allocator: ServiceAllocator) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.resource.group !== '' || a.resource.plural !== 'services' || a.subresource !== undefined) return;
    if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.object === undefined) return;
    await this.allocator.start();
    await this.allocator.allocate(
      a.object as corev1.Service,
      a.operation === 'UPDATE' ? (a.oldObject as corev1.Service | undefined) : undefined,
      a.dryRun,
    );
  }
}
