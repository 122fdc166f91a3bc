import { ownerReferenceTo, resources, type appsv1, type corev1 } from '@tugboat/core';

import { daemonTolerations } from './nodeShouldRun.js';

/** The label carrying the template hash a daemon pod was made from (upstream's ControllerRevision hash label). */
export const revisionHashLabel = 'controller-revision-hash';

/**
 * The daemon pod for `node`: the template with the revision hash label, the daemon tolerations,
 * required node affinity for exactly that node (as upstream, so a scheduler places it there) and
 * `spec.nodeName` set, so it runs even where no scheduler is deployed.
 */
export function daemonPod(ds: appsv1.DaemonSet, node: string, hash: string): corev1.Pod {
  const template = ds.spec?.template ?? {};
  const spec: corev1.PodSpec = structuredClone(template.spec ?? { containers: [] });
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of daemonTolerations)
    if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
  spec.tolerations = tolerations;
  spec.nodeName = node;
  spec.affinity = {
    ...(spec.affinity ?? {}),
    nodeAffinity: {
      ...(spec.affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  };
  const meta = ds.metadata ?? {};
  const metadata: NonNullable<corev1.Pod['metadata']> = {
    generateName: `${meta.name ?? ''}-`,
    namespace: meta.namespace ?? '',
    labels: { ...(template.metadata?.labels ?? {}), [revisionHashLabel]: hash },
    ownerReferences: [
      ownerReferenceTo(ds, resources.DaemonSets, { controller: true, blockOwnerDeletion: true }),
    ],
  };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
