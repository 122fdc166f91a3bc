import type { autoscalingv2 } from '@tugboat/core';
import type { Unchecked } from '../validation/Unchecked.js';

/** Upstream's default scale-up rules: no stabilization, the larger of +4 pods or +100% per 15 s. */
function defaultScaleUp(
  rules: Unchecked<autoscalingv2.HPAScalingRules> | undefined,
): Unchecked<autoscalingv2.HPAScalingRules> {
  const r = rules ?? {};
  r.stabilizationWindowSeconds ??= 0;
  r.selectPolicy ??= 'Max';
  r.policies ??= [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ];
  return r;
}

/** Upstream's default scale-down rules: a 300 s stabilization window, then up to -100% per 15 s. */
function defaultScaleDown(
  rules: Unchecked<autoscalingv2.HPAScalingRules> | undefined,
): Unchecked<autoscalingv2.HPAScalingRules> {
  const r = rules ?? {};
  r.stabilizationWindowSeconds ??= 300;
  r.selectPolicy ??= 'Max';
  r.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  return r;
}

/**
 * Fills an autoscaling/v2 HorizontalPodAutoscaler's defaults as upstream: minReplicas 1, an 80%
 * CPU utilization metric when none is given, and — when `behavior` is given — its missing rules.
 */
export function defaultHpa(hpa: Unchecked<autoscalingv2.HorizontalPodAutoscaler>): void {
  const spec = hpa.spec;
  if (!spec) return;
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = defaultScaleUp(spec.behavior.scaleUp);
    spec.behavior.scaleDown = defaultScaleDown(spec.behavior.scaleDown);
  }
}
