import type { corev1 } from '@tugboat/core';

import type { AdmissionAttributes, AdmissionPlugin } from './AdmissionPlugin.js';

/** The taint the node lifecycle controller puts on a node whose Ready condition is False. */
export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
/** The taint the node lifecycle controller puts on a node whose Ready condition is Unknown. */
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';

/**
 * The DefaultTolerationSeconds admission plugin, as upstream's (enabled by default there): a new
 * pod that does not already tolerate the `not-ready` / `unreachable` NoExecute taints gets a
 * toleration for each with `tolerationSeconds` (300 by default), so its pods are evicted from a
 * lost node after five minutes rather than at once.
 */
export class DefaultTolerationSeconds implements AdmissionPlugin {
  readonly name = 'DefaultTolerationSeconds';
  readonly phase = 'mutating';

  constructor(
    private readonly notReadySeconds = 300,
    private readonly unreachableSeconds = 300,
  ) {}

  admit(a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.resource.group !== '' || a.resource.plural !== 'pods' || a.subresource)
      return Promise.resolve();
    const spec = (a.object as corev1.Pod | undefined)?.spec;
    if (spec === undefined) return Promise.resolve();
    const tolerations = [...(spec.tolerations ?? [])];
    const covers = (key: string): boolean =>
      tolerations.some(
        (t) =>
          (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute') &&
          (t.key === key || ((t.key === undefined || t.key === '') && t.operator === 'Exists')),
      );
    const wanted: [string, number][] = [
      [notReadyTaintKey, this.notReadySeconds],
      [unreachableTaintKey, this.unreachableSeconds],
    ];
    let changed = false;
    for (const [key, seconds] of wanted) {
      if (covers(key)) continue;
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
      changed = true;
    }
    if (changed) spec.tolerations = tolerations;
    return Promise.resolve();
  }
}
