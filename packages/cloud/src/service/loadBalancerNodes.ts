import type { corev1 } from '@tugboat/core';

/** The label that keeps a node out of load balancers (upstream's). */
export const excludeFromLoadBalancersLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

/**
 * The addresses load balancers forward to: the InternalIP (else ExternalIP) of every Ready node
 * that is not excluded by label, sorted so the result compares stably.
 */
export function loadBalancerNodeAddresses(nodes: readonly corev1.Node[]): string[] {
  const out = new Set<string>();
  for (const node of nodes) {
    if (node.metadata?.labels?.[excludeFromLoadBalancersLabel] !== undefined) continue;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (!ready) continue;
    const addresses = node.status.addresses ?? [];
    const address =
      addresses.find((a) => a.type === 'InternalIP')?.address ??
      addresses.find((a) => a.type === 'ExternalIP')?.address;
    if (address) out.add(address);
  }
  return [...out].sort();
}
