import {
  ApiError,
  getCondition,
  resources,
  selectorFromLabelSelector,
  type ApiClient,
  type corev1,
  type DeleteOptions,
  type policyv1,
  type Status,
  metaTime,
} from '@tugboat/core';

import type { ApiEndpoint, ApiEndpointRequest } from '../http/hooks.js';

const { Pods, PodDisruptionBudgets } = resources;

/** More unconfirmed evictions than this in one budget means the disruption controller is not keeping up. */
const maxDisruptedPods = 2000;
const propagationPolicies = ['Background', 'Foreground', 'Orphan'] as const;
/** Budget updates lost to a concurrent eviction are retried this many times. */
const conflictRetries = 5;

/**
 * `POST /api/v1/namespaces/<ns>/pods/<name>/eviction`: deletes a pod only if its
 * PodDisruptionBudget allows it (upstream's eviction subresource, what `kubectl drain` uses).
 * Pods that are not running (pending, finished, already deleting) and pods no budget covers are
 * deleted at once; a covered pod spends one of the budget's `disruptionsAllowed`, recorded in its
 * `disruptedPods` until the disruption controller sees the pod go; a spent budget answers 429, which
 * clients retry. Unhealthy pods follow the budget's `unhealthyPodEvictionPolicy`.
 */
export class EvictionEndpoint implements ApiEndpoint {
  readonly group = '';
  readonly version = 'v1';
  readonly resource = 'pods';
  readonly subresource = 'eviction';

  /** `client` reads pods and budgets and writes them as the apiserver itself (the in-process client). */
  constructor(private readonly client: () => ApiClient) {}

  async create(request: ApiEndpointRequest): Promise<Status> {
    const namespace = request.namespace ?? '';
    const name = request.name ?? '';
    const deleteOptions = parseEviction(request.body, name, request.query);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.evict(namespace, name, deleteOptions);
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
      } catch (err) {
        if (!ApiError.is(err, 'Conflict') || attempt >= conflictRetries) throw err;
      }
    }
  }

  private async evict(namespace: string, name: string, options: DeleteOptions): Promise<void> {
    const api = this.client();
    const pod = await api.get(Pods, name, { namespace });
    const phase = pod.status?.phase;
    if (
      phase === 'Pending' ||
      phase === 'Succeeded' ||
      phase === 'Failed' ||
      pod.metadata?.deletionTimestamp
    ) {
      await deletePod(api, pod, options);
      return;
    }
    const pdbs = (await api.list(PodDisruptionBudgets, { namespace })).items.filter((pdb) =>
      covers(pdb, pod),
    );
    if (pdbs.length > 1) {
      throw new ApiError(
        'Internal',
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    }
    const pdb = pdbs[0];
    if (pdb === undefined) {
      await deletePod(api, pod, options);
      return;
    }
    if (!isReady(pod) && unhealthyMayGo(pdb)) {
      await deletePod(api, pod, {
        ...options,
        preconditions: { uid: pod.metadata?.uid ?? '', resourceVersion: pod.metadata?.resourceVersion ?? '' },
      });
      return;
    }
    checkBudget(pdb);
    if (options.dryRun !== true) {
      const status = pdb.status ?? {
        currentHealthy: 0,
        desiredHealthy: 0,
        disruptionsAllowed: 0,
        expectedPods: 0,
      };
      await api.updateStatus(PodDisruptionBudgets, {
        ...pdb,
        status: {
          ...status,
          disruptionsAllowed: status.disruptionsAllowed - 1,
          disruptedPods: {
            ...status.disruptedPods,
            [name]: metaTime(),
          },
        },
      });
    }
    await deletePod(api, pod, options);
  }
}

/** The DeleteOptions of an `Eviction` body, after checking it names the pod of the URL. */
function parseEviction(body: Record<string, unknown>, name: string, query: URLSearchParams): DeleteOptions {
  const kind = body['kind'];
  const apiVersion = body['apiVersion'];
  if (
    (kind !== undefined && kind !== 'Eviction') ||
    (apiVersion !== undefined && apiVersion !== 'policy/v1' && apiVersion !== 'policy/v1beta1')
  ) {
    throw new ApiError(
      'BadRequest',
      `expected an Eviction of policy/v1, got ${String(kind)} of ${String(apiVersion)}`,
    );
  }
  const meta = body['metadata'];
  const bodyName = typeof meta === 'object' && meta !== null ? (meta as { name?: unknown }).name : undefined;
  if (bodyName !== undefined && bodyName !== name)
    throw new ApiError('BadRequest', 'name in URL does not match name in Eviction object');
  const raw = (body['deleteOptions'] ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ApiError('BadRequest', 'deleteOptions must be an object');
  const grace = raw['gracePeriodSeconds'];
  if (
    grace !== undefined &&
    grace !== null &&
    (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)
  )
    throw new ApiError('BadRequest', 'deleteOptions.gracePeriodSeconds must be a non-negative integer');
  const rawPolicy = raw['propagationPolicy'] ?? undefined;
  const policy = propagationPolicies.find((p) => p === rawPolicy);
  if (rawPolicy !== undefined && policy === undefined)
    throw new ApiError(
      'BadRequest',
      `deleteOptions.propagationPolicy: unsupported value ${JSON.stringify(rawPolicy)}`,
    );
  const preconditions = (raw['preconditions'] ?? undefined) as DeleteOptions['preconditions'];
  const dryRun =
    query.get('dryRun') === 'All' || (Array.isArray(raw['dryRun']) && raw['dryRun'].includes('All'));
  return {
    ...(typeof grace === 'number' ? { gracePeriodSeconds: grace } : {}),
    ...(policy !== undefined ? { propagationPolicy: policy } : {}),
    ...(preconditions !== undefined ? { preconditions } : {}),
    ...(dryRun ? { dryRun: true } : {}),
  };
}

/** Whether the budget covers the pod: same namespace, and its selector (`{}` is every pod) matches. */
function covers(pdb: policyv1.PodDisruptionBudget, pod: corev1.Pod): boolean {
  try {
    return selectorFromLabelSelector(pdb.spec?.selector).matches(pod.metadata?.labels);
  } catch {
    return false; // an invalid selector protects nothing, as upstream
  }
}

function isReady(pod: corev1.Pod): boolean {
  return getCondition(pod.status?.conditions, 'Ready')?.status === 'True';
}

/**
 * Whether an unhealthy (not Ready) pod may go without spending the budget: always under
 * `AlwaysAllow`; under the default `IfHealthyBudget` only while the healthy pods already meet the budget.
 */
function unhealthyMayGo(pdb: policyv1.PodDisruptionBudget): boolean {
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const s = pdb.status;
  return s !== undefined && s.desiredHealthy > 0 && s.currentHealthy >= s.desiredHealthy;
}

/** Throws the error upstream answers when the budget allows no disruption now. */
function checkBudget(pdb: policyv1.PodDisruptionBudget): void {
  const name = pdb.metadata?.name ?? '';
  const status = pdb.status;
  if (status === undefined || (status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) {
    throw new ApiError(
      'TooManyRequests',
      "Cannot evict pod as it would violate the pod's disruption budget.",
      {
        retryAfterSeconds: 10,
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${name} is still being processed by the server.`,
          },
        ],
      },
    );
  }
  if (status.disruptionsAllowed < 0) throw new ApiError('Forbidden', 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > maxDisruptedPods)
    throw new ApiError(
      'Forbidden',
      'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
    );
  if (status.disruptionsAllowed === 0) {
    throw new ApiError(
      'TooManyRequests',
      "Cannot evict pod as it would violate the pod's disruption budget.",
      {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
          },
        ],
      },
    );
  }
}

async function deletePod(api: ApiClient, pod: corev1.Pod, options: DeleteOptions): Promise<void> {
  await api.delete(Pods, pod.metadata?.name ?? '', { ...options, namespace: pod.metadata?.namespace ?? '' });
}
