import type { PluginStatus } from '@tugboat/core';

/**
 * Upstream's FitError message: `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had
 * untolerated taint {key: value}.`, reasons counted across nodes and sorted, followed by the
 * PreFilter message and the PostFilter (preemption) message when there are any.
 */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: ReadonlyMap<string, PluginStatus>,
  preFilterMsg?: string,
  postFilterMsg?: string,
): string {
  let msg = `0/${numAllNodes} nodes are available`;
  if (preFilterMsg) {
    msg += `: ${preFilterMsg}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const status of statuses.values()) {
      for (const reason of status.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    }
    const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort();
    msg += parts.length > 0 ? `: ${parts.join(', ')}.` : '.';
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}
