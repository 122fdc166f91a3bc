import type { corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import { defaultPod } from './defaultPod.js';
import { podQosClass } from './podQosClass.js';
import { validatePod, validatePodUpdate } from './validatePod.js';
import { validatePodStatus } from './validatePodStatus.js';

const split = statusSubresource<corev1.Pod>((pod) => ({ phase: 'Pending', qosClass: podQosClass(pod.spec) }));

/** The strategy for core/v1 Pods: defaults as upstream, validation, status split, field selectors. */
export const podStrategy: Strategy<corev1.Pod> = {
  ...split,
  applyDefaults: defaultPod,
  validate: (pod) => validatePod(pod),
  // A status write keeps the stored spec (prepareForStatusUpdate), so only its status is checked,
  // as upstream's ValidatePodStatusUpdate.
  validateUpdate: (pod, old, context) =>
    context.subresource === 'status' ? validatePodStatus(pod, old) : validatePodUpdate(pod, old),
  specOf: (pod) => pod.spec,
  fieldsOf: (pod) => ({
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
    'status.phase': pod.status?.phase ?? '',
    'status.podIP': pod.status?.podIP ?? '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  }),
};
