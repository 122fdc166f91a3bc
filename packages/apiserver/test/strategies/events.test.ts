import { describe, expect, it } from '@jest/globals';
import type { autoscalingv2, coordinationv1, corev1, eventsv1 } from '@tugboat/core';

import { eventStrategy } from '../../src/strategies/event/eventStrategy.js';
import { eventV1Strategy } from '../../src/strategies/event/eventV1Strategy.js';
import { hpaStrategy } from '../../src/strategies/hpa/hpaStrategy.js';
import { leaseStrategy } from '../../src/strategies/lease/leaseStrategy.js';
import { create } from './helpers.js';

describe('core/v1 events', () => {
  const event = (involvedNs: string | undefined): corev1.Event => ({
    metadata: { name: 'web.17a8', namespace: 'default' },
    involvedObject: {
      kind: 'Pod',
      name: 'web',
      ...(involvedNs === undefined ? {} : { namespace: involvedNs }),
    },
    reason: 'Scheduled',
    message: 'assigned',
    source: { component: 'default-scheduler' },
    type: 'Normal',
  });

  it('requires the involved object to be in the event namespace', () => {
    expect(create(eventStrategy, event('default'))).toEqual([]);
    expect(create(eventStrategy, event('other'))).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });

  it('requires reporting fields and bounds lengths for new-style events', () => {
    const e = event('default');
    e.eventTime = '2026-11-27T05:00:00.000000Z';
    e.reason = 'x'.repeat(129);
    expect(create(eventStrategy, e)).toEqual([
      'reportingComponent: Required value',
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Invalid value: "": can have at most 128 characters',
    ]);
  });

  it('exposes involvedObject, reason, source and type as selectable fields', () => {
    const fields = eventStrategy.fieldsOf?.(event('default'));
    expect(fields).toMatchObject({
      'involvedObject.kind': 'Pod',
      'involvedObject.name': 'web',
      'involvedObject.namespace': 'default',
      reason: 'Scheduled',
      source: 'default-scheduler',
      type: 'Normal',
    });
  });
});

describe('events.k8s.io/v1 events', () => {
  const event = (): eventsv1.Event => ({
    metadata: { name: 'web.17a8', namespace: 'default' },
    eventTime: '2026-11-27T05:00:00.000000Z',
    regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
    reportingController: 'tugboat.io/scheduler',
    reportingInstance: 'scheduler-0',
    action: 'Binding',
    reason: 'Scheduled',
    note: 'assigned',
    type: 'Normal',
  });

  it('accepts a complete event', () => {
    expect(create(eventV1Strategy, event())).toEqual([]);
  });

  it('requires eventTime and reportingController, and a known type', () => {
    const e = event() as Partial<eventsv1.Event> & eventsv1.Event;
    delete (e as Partial<eventsv1.Event>).eventTime;
    delete e.reportingController;
    e.type = 'Info';
    e.note = 'n'.repeat(1025);
    expect(create(eventV1Strategy, e)).toEqual([
      'eventTime: Required value',
      'reportingController: Required value',
      'note: Invalid value: "": can have at most 1024 characters',
      'type: Invalid value: "": has invalid value: Info',
    ]);
  });
});

describe('leases', () => {
  it('requires a positive duration and non-negative transitions', () => {
    const lease: coordinationv1.Lease = {
      metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
      spec: { leaseDurationSeconds: 0, leaseTransitions: -1 },
    };
    expect(create(leaseStrategy, lease)).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

describe('horizontalpodautoscalers', () => {
  const hpa = (
    spec: Partial<autoscalingv2.HorizontalPodAutoscalerSpec> = {},
  ): autoscalingv2.HorizontalPodAutoscaler => ({
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      maxReplicas: 5,
      ...spec,
    },
  });

  it('defaults minReplicas 1 and an 80% CPU metric', () => {
    const h = hpa();
    expect(create(hpaStrategy, h)).toEqual([]);
    expect(h.spec?.minReplicas).toBe(1);
    expect(h.spec?.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
    expect(h.spec?.behavior).toBeUndefined();
  });

  it('fills behavior rules as upstream when behavior is given', () => {
    const h = hpa({ behavior: { scaleDown: { selectPolicy: 'Min' } } });
    expect(create(hpaStrategy, h)).toEqual([]);
    expect(h.spec?.behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Min',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
  });

  it('validates replica bounds, target reference and metrics', () => {
    const h = hpa({
      minReplicas: 0,
      maxReplicas: 3,
      scaleTargetRef: { kind: '', name: 'web' },
      metrics: [
        { type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      ],
    });
    expect(create(hpaStrategy, h)).toEqual([
      'spec.scaleTargetRef.kind: Required value',
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.metrics[0].pods: Required value: must populate information for the given metric source',
    ]);
    const twoSources = hpa({
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } },
        },
      ],
    });
    expect(create(hpaStrategy, twoSources)).toEqual([
      'spec.metrics[0].pods: Forbidden: must populate the given metric source only',
    ]);
    expect(create(hpaStrategy, hpa({ minReplicas: 4, maxReplicas: 2 }))).toEqual([
      'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
    ]);
  });

  it('validates scaling behavior rules', () => {
    const h = hpa({
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 4000,
          selectPolicy: 'Fastest',
          policies: [{ type: 'Pods', value: 0, periodSeconds: 15 }],
        },
        scaleDown: { policies: [{ type: 'Percent', value: 10, periodSeconds: 3600 }] },
      },
    });
    expect(create(hpaStrategy, h)).toEqual([
      'spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600',
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Fastest": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 3600: must be less than or equal to 1800',
    ]);
  });

  it('clears status on create', () => {
    const h = hpa();
    h.status = { currentReplicas: 3, desiredReplicas: 3 };
    create(hpaStrategy, h);
    expect(h.status).toBeUndefined();
  });
});
