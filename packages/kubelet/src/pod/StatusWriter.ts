import { ApiError, jsonEqual, resources, type ApiClient, type Logger, type corev1 } from '@tugboat/core';

const maxAttempts = 5;

/** Whether two statuses say the same (ignoring key order and `undefined` members). */
function sameStatus(a: corev1.PodStatus | undefined, b: corev1.PodStatus): boolean {
  return jsonEqual(a ?? {}, b);
}

/**
 * Writes pod statuses through the `status` subresource, only when they changed. A `Conflict`
 * refetches the pod and retries; a pod replaced by another of the same name (another uid) or gone
 * is left alone.
 */
export class StatusWriter {
  /** The last pod object written per uid: the kubelet alone writes these statuses, so it is the freshest base. */
  private readonly written = new Map<string, corev1.Pod>();

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {}

  /** The pod as last written, or `pod` when that is newer or nothing was written. */
  latest(pod: corev1.Pod): corev1.Pod {
    const w = this.written.get(pod.metadata?.uid ?? '');
    if (!w) return pod;
    const a = Number(w.metadata?.resourceVersion ?? 0);
    const b = Number(pod.metadata?.resourceVersion ?? 0);
    return a >= b ? { ...pod, status: w.status ?? {} } : pod;
  }

  /**
   * Writes `status` for `pod` unless it already shows it. Resolves with the pod as stored.
   */
  async write(pod: corev1.Pod, status: corev1.PodStatus): Promise<corev1.Pod> {
    const uid = pod.metadata?.uid ?? '';
    let current = this.latest(pod);
    for (let attempt = 1; ; attempt++) {
      if (sameStatus(current.status, status)) return current;
      try {
        const stored = await this.client.updateStatus(resources.Pods, { ...current, status });
        this.written.set(uid, stored);
        return stored;
      } catch (err) {
        // A pod deleted meanwhile has no status to report; its deletion syncs it next.
        if (ApiError.is(err, 'NotFound')) return current;
        if (!ApiError.is(err, 'Conflict') || attempt >= maxAttempts) throw err;
        this.log.debug('pod status conflict, refetching', { pod: pod.metadata?.name, attempt });
        const fresh = await this.client.get(resources.Pods, pod.metadata?.name ?? '', {
          namespace: pod.metadata?.namespace,
        });
        // Another pod of the same name: this one is gone, and so is its status.
        if (fresh.metadata?.uid !== uid) return current;
        // A terminal phase is final: never overwrite it with a non-terminal one.
        const phase = fresh.status?.phase;
        if ((phase === 'Succeeded' || phase === 'Failed') && status.phase !== phase) return fresh;
        current = fresh;
      }
    }
  }

  /** Forgets a pod that is gone. */
  forget(uid: string): void {
    this.written.delete(uid);
  }
}
