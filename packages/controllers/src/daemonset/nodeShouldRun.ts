import type { corev1 } from '@tugboat/core';

import { tolerates } from '../internal/tolerates.js';

/** Tolerations upstream adds to every daemon pod, so node trouble never evicts it. */
export const daemonTolerations: corev1.Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function requirementHolds(req: corev1.NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const n = Number(value);
      const bound = Number(values[0]);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return req.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

function termMatches(term: corev1.NodeSelectorTerm, node: corev1.Node): boolean {
  const labels = node.metadata?.labels ?? {};
  const fields: Record<string, string | undefined> = { 'metadata.name': node.metadata?.name };
  const exprs = term.matchExpressions ?? [];
  const fieldExprs = term.matchFields ?? [];
  if (exprs.length === 0 && fieldExprs.length === 0) return false;
  return (
    exprs.every((r) => requirementHolds(r, labels[r.key])) &&
    fieldExprs.every((r) => requirementHolds(r, fields[r.key]))
  );
}

/**
 * Whether a daemon pod from `template` belongs on `node` (upstream `NodeShouldRunDaemonPod`): the
 * node matches its nodeSelector and required node affinity, and every NoSchedule/NoExecute taint
 * is tolerated by the pod's tolerations plus the daemon defaults.
 */
export function nodeShouldRun(node: corev1.Node, template: corev1.PodTemplateSpec): boolean {
  const spec = template.spec;
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required !== undefined && !required.nodeSelectorTerms.some((t) => termMatches(t, node))) return false;
  const tolerations = [...(spec?.tolerations ?? []), ...daemonTolerations];
  return (node.spec?.taints ?? [])
    .filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    .every((taint) => tolerations.some((t) => tolerates(t, taint)));
}
