import { ApiError, type corev1, type schedulingv1 } from '@tugboat/core';

import type { AdmissionAttributes, AdmissionPlugin } from './AdmissionPlugin.js';

/** The built-in system priority classes, which exist in every cluster. */
const systemClasses: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

/** How the {@link Priority} plugin reads PriorityClasses. */
export interface PriorityClassLookup {
  get(name: string): Promise<schedulingv1.PriorityClass | undefined>;
  list(): Promise<readonly schedulingv1.PriorityClass[]>;
}

/**
 * The Priority admission plugin, as upstream's: on pod creation it resolves
 * `spec.priorityClassName` to `spec.priority` (and the class's preemptionPolicy), uses the
 * `globalDefault` class (else 0) when no class is named, and rejects unknown classes and a
 * priority that disagrees with the named class.
 */
export class Priority implements AdmissionPlugin {
  readonly name = 'Priority';
  readonly phase = 'mutating';

  constructor(private readonly lookup: PriorityClassLookup) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.resource.group !== '' || a.resource.plural !== 'pods' || a.subresource)
      return;
    const pod = a.object as corev1.Pod | undefined;
    const spec = pod?.spec;
    if (spec === undefined) return;
    const className = spec.priorityClassName;
    if (!className) {
      const def = (await this.lookup.list()).find((c) => c.globalDefault === true);
      if (def !== undefined) {
        spec.priorityClassName = def.metadata?.name ?? '';
        spec.priority = def.value;
        if (def.preemptionPolicy) spec.preemptionPolicy = def.preemptionPolicy;
      } else spec.priority ??= 0;
      return;
    }
    const system = systemClasses[className];
    if (system !== undefined) {
      spec.priority = system;
      return;
    }
    const pc = await this.lookup.get(className);
    if (pc === undefined) throw forbidden(a, `no PriorityClass with name ${className} was found`);
    if (spec.priority !== undefined && spec.priority !== pc.value) {
      throw forbidden(
        a,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${pc.value} from the given PriorityClass name`,
      );
    }
    spec.priority = pc.value;
    spec.preemptionPolicy ??= pc.preemptionPolicy ?? 'PreemptLowerPriority';
  }
}

function forbidden(a: AdmissionAttributes, why: string): ApiError {
  const name = a.name || a.object?.metadata?.name || a.object?.metadata?.generateName || '';
  return new ApiError('Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });
}
