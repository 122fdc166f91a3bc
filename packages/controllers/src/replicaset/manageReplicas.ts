import {
  ApiError,
  ownerReferenceTo,
  resources,
  type ApiClient,
  type appsv1,
  type corev1,
  type EventRecorder,
} from '@tugboat/core';

import type { Expectations } from '../internal/Expectations.js';
import { rankPodsForDeletion } from './rankPodsForDeletion.js';
import { slowStartBatch } from './slowStartBatch.js';

const { Pods, ReplicaSets } = resources;

/** Upstream's `burstReplicas`: the most pods one sync creates or deletes. */
const burstReplicas = 500;

/** What {@link manageReplicas} works with. */
export interface ManageReplicasInput {
  readonly api: ApiClient;
  readonly rs: appsv1.ReplicaSet;
  /** The active pods the ReplicaSet owns, per a cache its expectations say is current. */
  readonly pods: readonly corev1.Pod[];
  readonly expectations: Expectations;
  readonly key: string;
  readonly recorder: EventRecorder;
}

/** The pod a ReplicaSet creates from its template. */
export function podFromTemplate(rs: appsv1.ReplicaSet): corev1.Pod {
  const template = rs.spec?.template ?? {};
  const meta = rs.metadata ?? {};
  const metadata: NonNullable<corev1.Pod['metadata']> = {
    generateName: `${meta.name ?? ''}-`,
    namespace: meta.namespace ?? '',
    ownerReferences: [ownerReferenceTo(rs, ReplicaSets, { controller: true, blockOwnerDeletion: true })],
  };
  if (template.metadata?.labels) metadata.labels = { ...template.metadata.labels };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers) metadata.finalizers = [...template.metadata.finalizers];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
}

/**
 * Creates or deletes pods to bring `pods` to `spec.replicas` (upstream `manageReplicas`). Records
 * expectations first and lowers them for calls that fail, so the next sync waits for exactly
 * what was issued. Returns the first failure, if any.
 */
export async function manageReplicas(input: ManageReplicasInput): Promise<unknown> {
  const { api, rs, pods, expectations, key, recorder } = input;
  const ns = rs.metadata?.namespace ?? '';
  const diff = pods.length - (rs.spec?.replicas ?? 1);
  if (diff < 0) {
    const count = Math.min(-diff, burstReplicas);
    expectations.expectCreations(key, count);
    const { attempted, error } = await slowStartBatch(count, async () => {
      try {
        const pod = await api.create(Pods, podFromTemplate(rs), { namespace: ns });
        recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name ?? ''}`);
      } catch (err) {
        expectations.creationObserved(key);
        if (ApiError.is(err, 'Forbidden') && /terminat/i.test(err.message)) return; // namespace going away
        recorder.event(
          rs,
          'Warning',
          'FailedCreate',
          `Error creating: ${String(err instanceof Error ? err.message : err)}`,
        );
        throw err;
      }
    });
    // Batches never started will never be observed either.
    for (let i = attempted; i < count; i++) expectations.creationObserved(key);
    return error;
  }
  if (diff > 0) {
    const victims = rankPodsForDeletion(pods).slice(0, Math.min(diff, burstReplicas));
    expectations.expectDeletions(
      key,
      victims.map((p) => p.metadata?.uid ?? ''),
    );
    const results = await Promise.allSettled(
      victims.map(async (pod) => {
        const name = pod.metadata?.name ?? '';
        try {
          await api.delete(Pods, name, {
            namespace: ns,
            preconditions: { uid: pod.metadata?.uid ?? '' },
          });
          recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (err) {
          expectations.deletionObserved(key, pod.metadata?.uid ?? '');
          if (ApiError.is(err, 'NotFound', 'Conflict')) return;
          recorder.event(
            rs,
            'Warning',
            'FailedDelete',
            `Error deleting: ${String(err instanceof Error ? err.message : err)}`,
          );
          throw err;
        }
      }),
    );
    return results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  }
  return undefined;
}
