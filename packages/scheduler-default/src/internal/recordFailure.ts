import {
  ignoreNotFound,
  resources,
  type ApiClient,
  type corev1,
  type EventRecorder,
  type Logger,
  metaTime,
} from '@tugboat/core';

/**
 * Tells the user why a pod was not scheduled, as upstream: a `FailedScheduling` Warning event and
 * the `PodScheduled=False` condition (reason `Unschedulable`, or `SchedulerError` for errors),
 * written only when the condition changes. Never throws.
 */
export function recordFailure(
  client: ApiClient,
  recorder: EventRecorder,
  log: Logger,
  pod: corev1.Pod,
  kind: 'Unschedulable' | 'Error',
  message: string,
): void {
  recorder.event(pod, 'Warning', 'FailedScheduling', message);
  const reason = kind === 'Error' ? 'SchedulerError' : 'Unschedulable';
  const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (current?.status === 'False' && current.reason === reason && current.message === message) return;
  const condition: corev1.PodCondition = {
    type: 'PodScheduled',
    status: 'False',
    reason,
    message,
    lastTransitionTime: metaTime(),
  };
  client
    .patch(
      resources.Pods,
      pod.metadata?.name ?? '',
      'strategic',
      { status: { conditions: [condition] } },
      { namespace: pod.metadata?.namespace ?? 'default', subresource: 'status' },
    )
    .catch(ignoreNotFound)
    .catch((err: unknown) => {
      log.warn('failed to set PodScheduled condition', { pod: pod.metadata?.name, error: String(err) });
    });
}
