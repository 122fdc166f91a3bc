import type { autoscalingv2 } from '@tugboat/core';

import { ageColumn, column, nameColumn, type Printer } from './columns.js';
import { ageOf } from './humanDuration.js';

const unknown = '<unknown>';

/** `name: current/target` of one metric, as kubectl shows it (`cpu: 12%/50%`). */
function formatMetric(
  spec: autoscalingv2.MetricSpec,
  statuses: readonly autoscalingv2.MetricStatus[],
): string {
  if (spec.type === 'Resource' && spec.resource) {
    const current = statuses.find((s) => s.type === 'Resource' && s.resource?.name === spec.resource?.name)
      ?.resource?.current;
    const target = spec.resource.target;
    if (target.type === 'Utilization' || target.averageUtilization !== undefined) {
      const cur = current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : unknown;
      return `${spec.resource.name}: ${cur}/${target.averageUtilization ?? 0}%`;
    }
    const cur = current?.averageValue ?? unknown;
    return `${spec.resource.name}: ${cur}/${target.averageValue ?? target.value ?? unknown}`;
  }
  return `${unknown}/${unknown}`;
}

/** The columns `kubectl get hpa` shows, as upstream's printer: metrics beyond two are counted. */
export const hpaPrinter: Printer = {
  columns: [
    nameColumn,
    column('Reference', 'string', 0, '', 'reference to the target object'),
    column('Targets', 'string', 0, '', 'the current and target values of the metrics'),
    column('MinPods', 'string', 0, '', 'the lower limit of replicas'),
    column('MaxPods', 'integer', 0, '', 'the upper limit of replicas'),
    column('Replicas', 'integer', 0, '', 'the current number of replicas'),
    ageColumn,
  ],
  cells(object, now) {
    const hpa = object as autoscalingv2.HorizontalPodAutoscaler;
    const ref = hpa.spec?.scaleTargetRef;
    const metrics = hpa.spec?.metrics ?? [];
    const statuses = hpa.status?.currentMetrics ?? [];
    const shown = metrics.slice(0, 2).map((m) => formatMetric(m, statuses));
    const more = metrics.length > 2 ? ` + ${metrics.length - 2} more...` : '';
    return [
      hpa.metadata?.name ?? '',
      ref ? `${ref.kind}/${ref.name}` : '',
      metrics.length === 0 ? '<none>' : shown.join(', ') + more,
      hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      ageOf(hpa.metadata?.creationTimestamp, now),
    ];
  },
};
