import type { corev1 } from '@tugboat/core';

/** Whether one node selector requirement holds for the node's labels (Gt/Lt compare integers). */
export function matchExpression(
  req: corev1.NodeSelectorRequirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(values[0] ?? '', 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** Whether a node selector term (all expressions and fields) matches the node; an empty term matches nothing. */
export function matchTerm(term: corev1.NodeSelectorTerm, node: corev1.Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels;
  for (const e of exprs) if (!matchExpression(e, labels)) return false;
  for (const f of fields) {
    if (f.key !== 'metadata.name') return false;
    if (!matchExpression({ ...f, key: 'n' }, { n: node.metadata?.name ?? '' })) return false;
  }
  return true;
}

/**
 * Whether the node satisfies the pod's `nodeSelector` and required node affinity (terms are
 * ORed), as upstream's RequiredNodeAffinity.
 */
export function matchesRequiredNodeAffinity(pod: corev1.Pod, node: corev1.Node): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel !== undefined) {
    const labels = node.metadata?.labels;
    for (const k of Object.keys(sel)) if (labels?.[k] !== sel[k]) return false;
  }
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return terms.some((t) => matchTerm(t, node));
}
