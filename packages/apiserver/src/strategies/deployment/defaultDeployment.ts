import type { appsv1 } from '@tugboat/core';

import { defaultPodSpec } from '../pod/defaultPodSpec.js';
import type { Unchecked } from '../validation/Unchecked.js';

/**
 * Fills a Deployment's defaults as upstream apps/v1: 1 replica, RollingUpdate 25%/25%,
 * revisionHistoryLimit 10, progressDeadlineSeconds 600, and pod template defaults.
 */
export function defaultDeployment(d: Unchecked<appsv1.Deployment>): void {
  const spec = (d.spec ??= { selector: {}, template: {} });
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = (strategy.rollingUpdate ??= {});
    rolling.maxUnavailable ??= '25%';
    rolling.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodSpec(spec.template?.spec);
}
