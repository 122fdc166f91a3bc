import { describe, expect, it } from '@jest/globals';
import type { autoscalingv2 } from '@tugboat/core';

import { ScaleNormalizer } from '../src/index.js';

const t0 = Date.parse('2026-11-27T08:00:00Z');
const s = (seconds: number): number => t0 + seconds * 1000;

/** The behavior the apiserver defaults an HPA's `behavior: {}` to (upstream's defaults). */
function defaults(
  overrides: Partial<Record<'scaleUp' | 'scaleDown', autoscalingv2.HPAScalingRules>> = {},
): autoscalingv2.HorizontalPodAutoscalerBehavior {
  return {
    scaleUp: overrides.scaleUp ?? {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: overrides.scaleDown ?? {
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  };
}

describe('HPA normalization with behavior (upstream normalizeDesiredReplicasWithBehaviors)', () => {
  it('scales up by at most 4 pods or 100% per 15 s, counting recent scale-ups', () => {
    const n = new ScaleNormalizer(300_000);
    const behavior = defaults();
    const base = { key: 'ns/web', behavior, minReplicas: 1, maxReplicas: 100 };
    n.recordInitial('ns/web', 2, s(0));
    const first = n.normalize({ ...base, currentReplicas: 2, desiredReplicas: 20, nowMs: s(0) });
    expect(first).toEqual({
      replicas: 6,
      ableToScale: {
        status: 'True',
        reason: 'ReadyForNewScale',
        message: 'recommended size matches current size',
      },
      scalingLimited: {
        status: 'True',
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      },
    });
    n.recordScale('ns/web', behavior, 2, 6, s(0));
    // Within the same 15 s period the 4 pods already added use the whole budget.
    expect(n.normalize({ ...base, currentReplicas: 6, desiredReplicas: 20, nowMs: s(5) }).replicas).toBe(6);
    // A period later: max(6 + 4, 6 × 2) = 12.
    expect(n.normalize({ ...base, currentReplicas: 6, desiredReplicas: 20, nowMs: s(16) }).replicas).toBe(12);
  });

  it('keeps the highest recommendation of the 300 s scale-down window, then scales down', () => {
    const n = new ScaleNormalizer(300_000);
    const base = { key: 'ns/web', behavior: defaults(), minReplicas: 1, maxReplicas: 10 };
    n.recordInitial('ns/web', 10, s(0));
    const held = n.normalize({ ...base, currentReplicas: 10, desiredReplicas: 4, nowMs: s(15) });
    expect(held.replicas).toBe(10);
    expect(held.ableToScale).toEqual({
      status: 'True',
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    expect(n.normalize({ ...base, currentReplicas: 10, desiredReplicas: 4, nowMs: s(299) }).replicas).toBe(
      10,
    );
    const released = n.normalize({ ...base, currentReplicas: 10, desiredReplicas: 4, nowMs: s(301) });
    expect(released.replicas).toBe(4);
    expect(released.scalingLimited).toMatchObject({ status: 'False', reason: 'DesiredWithinRange' });
  });

  it('stabilizes scale-ups over a scale-up window and honours Min and Disabled policies', () => {
    const n = new ScaleNormalizer(300_000);
    const behavior = defaults({
      scaleUp: {
        stabilizationWindowSeconds: 60,
        selectPolicy: 'Min',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [] },
    });
    const base = { key: 'ns/api', behavior, minReplicas: 1, maxReplicas: 100 };
    n.recordInitial('ns/api', 10, s(0));
    // The lowest recommendation of the last 60 s (the initial 10) holds a scale-up back …
    const held = n.normalize({ ...base, currentReplicas: 10, desiredReplicas: 30, nowMs: s(10) });
    expect(held.replicas).toBe(10);
    expect(held.ableToScale.reason).toBe('ScaleUpStabilized');
    // … until every recommendation in the window asks for more; then Min picks +4 over +100%.
    expect(n.normalize({ ...base, currentReplicas: 10, desiredReplicas: 30, nowMs: s(61) }).replicas).toBe(
      14,
    );
    // Scale-down is disabled.
    const down = n.normalize({ ...base, currentReplicas: 10, desiredReplicas: 2, nowMs: s(200) });
    expect(down).toMatchObject({
      replicas: 10,
      scalingLimited: { status: 'True', reason: 'ScaleDownLimit' },
    });
  });

  it('clamps to min and max replicas with upstream reasons', () => {
    const n = new ScaleNormalizer(0);
    const base = { key: 'ns/x', behavior: defaults(), minReplicas: 2, maxReplicas: 5, nowMs: s(0) };
    expect(n.normalize({ ...base, currentReplicas: 4, desiredReplicas: 9 })).toMatchObject({
      replicas: 5,
      scalingLimited: {
        status: 'True',
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      },
    });
    expect(
      n.normalize({
        ...base,
        behavior: defaults({
          scaleDown: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
          },
        }),
        key: 'ns/y',
        currentReplicas: 4,
        desiredReplicas: 1,
      }),
    ).toMatchObject({ replicas: 2, scalingLimited: { status: 'True', reason: 'TooFewReplicas' } });
  });
});

describe('HPA normalization without behavior (upstream normalizeDesiredReplicas)', () => {
  it('limits a scale-up to double or 4, and holds scale-downs for the downscale window', () => {
    const n = new ScaleNormalizer(300_000);
    const base = { key: 'ns/web', behavior: undefined, minReplicas: 1, maxReplicas: 50 };
    n.recordInitial('ns/web', 3, s(0));
    expect(n.normalize({ ...base, currentReplicas: 3, desiredReplicas: 20, nowMs: s(0) })).toMatchObject({
      replicas: 6,
      ableToScale: { reason: 'ReadyForNewScale' },
      scalingLimited: { status: 'True', reason: 'ScaleUpLimit' },
    });
    expect(n.normalize({ ...base, currentReplicas: 6, desiredReplicas: 2, nowMs: s(30) })).toMatchObject({
      // The window's highest recommendation (20), within the rate limit (2 × 6).
      replicas: 12,
      ableToScale: { reason: 'ScaleDownStabilized' },
      scalingLimited: { status: 'True', reason: 'ScaleUpLimit' },
    });
    expect(n.normalize({ ...base, currentReplicas: 6, desiredReplicas: 2, nowMs: s(400) }).replicas).toBe(2);
  });
});
