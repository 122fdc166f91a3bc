import type { QueuedPod, QueueSortPlugin } from '@tugboat/core';

/**
 * The PrioritySort plugin: the active queue's order — higher `spec.priority` first, then the pod
 * that entered the queue first.
 */
export class PrioritySort implements QueueSortPlugin {
  static readonly pluginName = 'PrioritySort';
  readonly name = PrioritySort.pluginName;

  less(a: QueuedPod, b: QueuedPod): boolean {
    const pa = a.pod.spec?.priority ?? 0;
    const pb = b.pod.spec?.priority ?? 0;
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}
