import type { autoscalingv2 } from '@tugboat/core';

/** A condition the normalization sets: its status, reason and message. */
export interface ConditionVerdict {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** The normalized count and the `AbleToScale` / `ScalingLimited` conditions explaining it. */
export interface Normalized {
  readonly replicas: number;
  readonly ableToScale: ConditionVerdict;
  readonly scalingLimited: ConditionVerdict;
}

/** What one normalization is about. */
export interface NormalizationInput {
  readonly key: string;
  readonly behavior: autoscalingv2.HorizontalPodAutoscalerBehavior | undefined;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly nowMs: number;
}

interface Recommendation {
  replicas: number;
  atMs: number;
}

interface ScaleEvent {
  change: number;
  atMs: number;
  outdated: boolean;
}

const withinRange: Omit<ConditionVerdict, 'status'> = {
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};
const readyForNewScale: ConditionVerdict = {
  status: 'True',
  reason: 'ReadyForNewScale',
  message: 'recommended size matches current size',
};
const scaleUpStabilized = {
  reason: 'ScaleUpStabilized',
  message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
};
const scaleDownStabilized = {
  reason: 'ScaleDownStabilized',
  message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
};

/**
 * The HPA's memory between reconciles, as upstream's controller keeps it: recent recommendations
 * (for the stabilization windows) and recent scale events (for the rate policies), per HPA. It
 * turns a metric-derived replica count into the one to apply — upstream's
 * `normalizeDesiredReplicas` without `behavior` and `normalizeDesiredReplicasWithBehaviors` with.
 */
export class ScaleNormalizer {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUps = new Map<string, ScaleEvent[]>();
  private readonly scaleDowns = new Map<string, ScaleEvent[]>();

  /** @param downscaleWindowMs the scale-down stabilization window when `behavior` sets none (300 s). */
  constructor(private readonly downscaleWindowMs: number) {}

  /** Seeds the history with the current size the first time an HPA is seen. */
  recordInitial(key: string, currentReplicas: number, nowMs: number): void {
    if (!this.recommendations.has(key))
      this.recommendations.set(key, [{ replicas: currentReplicas, atMs: nowMs }]);
  }

  /** Forgets an HPA that is gone. */
  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUps.delete(key);
    this.scaleDowns.delete(key);
  }

  /** The replica count to apply. */
  normalize(input: NormalizationInput): Normalized {
    return input.behavior === undefined
      ? this.withoutBehavior(input)
      : this.withBehavior(input, input.behavior);
  }

  /** Remembers a rescale, for the rate policies of HPAs with `behavior`. */
  recordScale(
    key: string,
    behavior: autoscalingv2.HorizontalPodAutoscalerBehavior | undefined,
    from: number,
    to: number,
    nowMs: number,
  ): void {
    if (behavior === undefined || from === to) return;
    const up = to > from;
    const rules = up ? behavior.scaleUp : behavior.scaleDown;
    const longest = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
    const map = up ? this.scaleUps : this.scaleDowns;
    const events = map.get(key) ?? [];
    for (const e of events) if (e.atMs <= nowMs - longest) e.outdated = true;
    const fresh: ScaleEvent = { change: Math.abs(to - from), atMs: nowMs, outdated: false };
    const reuse = events.findIndex((e) => e.outdated);
    if (reuse >= 0) events[reuse] = fresh;
    else events.push(fresh);
    map.set(key, events);
  }

  private withoutBehavior(input: NormalizationInput): Normalized {
    const stabilized = this.stabilize(input.key, input.desiredReplicas, input.nowMs);
    const ableToScale =
      stabilized !== input.desiredReplicas
        ? { status: 'True' as const, ...scaleDownStabilized }
        : readyForNewScale;
    // Upstream's guard against bogus usage spikes: at most double (or +4) per step.
    const scaleUpLimit = Math.max(2 * input.currentReplicas, 4);
    let max = input.maxReplicas;
    let limit = {
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    };
    if (input.maxReplicas > scaleUpLimit) {
      max = scaleUpLimit;
      limit = {
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      };
    }
    let replicas = stabilized;
    let verdict = { ...withinRange };
    if (stabilized < input.minReplicas) {
      replicas = input.minReplicas;
      verdict = {
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      };
    } else if (stabilized > max) {
      replicas = max;
      verdict = limit;
    }
    return {
      replicas,
      ableToScale,
      scalingLimited: { status: replicas === stabilized ? 'False' : 'True', ...verdict },
    };
  }

  /** Upstream's `stabilizeRecommendation`: the highest recommendation within the scale-down window. */
  private stabilize(key: string, desired: number, nowMs: number): number {
    const history = this.recommendations.get(key) ?? [];
    const cutoff = nowMs - this.downscaleWindowMs;
    let max = desired;
    let old = -1;
    history.forEach((r, i) => {
      if (r.atMs < cutoff) old = i;
      else if (r.replicas > max) max = r.replicas;
    });
    this.remember(key, history, old, desired, nowMs);
    return max;
  }

  private withBehavior(
    input: NormalizationInput,
    behavior: autoscalingv2.HorizontalPodAutoscalerBehavior,
  ): Normalized {
    const upWindowMs = (behavior.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
    const downWindowMs =
      behavior.scaleDown?.stabilizationWindowSeconds !== undefined
        ? behavior.scaleDown.stabilizationWindowSeconds * 1000
        : this.downscaleWindowMs;
    const history = this.recommendations.get(input.key) ?? [];
    let upRecommendation = input.desiredReplicas;
    let downRecommendation = input.desiredReplicas;
    let old = -1;
    history.forEach((r, i) => {
      const upFresh = r.atMs > input.nowMs - upWindowMs;
      const downFresh = r.atMs > input.nowMs - downWindowMs;
      if (upFresh) upRecommendation = Math.min(upRecommendation, r.replicas);
      if (downFresh) downRecommendation = Math.max(downRecommendation, r.replicas);
      if (!upFresh && !downFresh) old = i;
    });
    const stabilized = Math.min(Math.max(input.currentReplicas, upRecommendation), downRecommendation);
    this.remember(input.key, history, old, input.desiredReplicas, input.nowMs);
    const why = input.desiredReplicas >= input.currentReplicas ? scaleUpStabilized : scaleDownStabilized;
    const ableToScale =
      stabilized !== input.desiredReplicas ? { status: 'True' as const, ...why } : readyForNewScale;
    const limited = this.rateLimit({ ...input, desiredReplicas: stabilized }, behavior);
    return {
      replicas: limited.replicas,
      ableToScale,
      scalingLimited: {
        status: limited.replicas === stabilized ? 'False' : 'True',
        reason: limited.reason,
        message: limited.message,
      },
    };
  }

  /** Upstream's `convertDesiredReplicasWithBehaviorRate`: the policies' bound on one step. */
  private rateLimit(
    input: NormalizationInput,
    behavior: autoscalingv2.HorizontalPodAutoscalerBehavior,
  ): { replicas: number; reason: string; message: string } {
    const { currentReplicas: current, desiredReplicas: desired } = input;
    const ups = this.scaleUps.get(input.key) ?? [];
    const downs = this.scaleDowns.get(input.key) ?? [];
    if (desired > current) {
      const limit = Math.max(current, scaleUpLimit(current, ups, downs, behavior.scaleUp, input.nowMs));
      if (input.maxReplicas > limit) {
        if (desired > limit)
          return {
            replicas: limit,
            reason: 'ScaleUpLimit',
            message: 'the desired replica count is increasing faster than the maximum scale rate',
          };
      } else if (desired > input.maxReplicas) {
        return {
          replicas: input.maxReplicas,
          reason: 'TooManyReplicas',
          message: 'the desired replica count is more than the maximum replica count',
        };
      }
    } else if (desired < current) {
      const limit = Math.min(current, scaleDownLimit(current, ups, downs, behavior.scaleDown, input.nowMs));
      if (input.minReplicas < limit) {
        if (desired < limit)
          return {
            replicas: limit,
            reason: 'ScaleDownLimit',
            message: 'the desired replica count is decreasing faster than the maximum scale rate',
          };
      } else if (desired < input.minReplicas) {
        return {
          replicas: input.minReplicas,
          reason: 'TooFewReplicas',
          message: 'the desired replica count is less than the minimum replica count',
        };
      }
    }
    return { replicas: desired, ...withinRange };
  }

  private remember(
    key: string,
    history: Recommendation[],
    old: number,
    replicas: number,
    atMs: number,
  ): void {
    if (old >= 0) history[old] = { replicas, atMs };
    else history.push({ replicas, atMs });
    this.recommendations.set(key, history);
  }
}

/** Replicas added (or removed) within the last `periodSeconds`. */
function changeWithin(periodSeconds: number, events: readonly ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.atMs > cutoff ? sum + e.change : sum), 0);
}

/** Upstream's `calculateScaleUpLimitWithScalingRules`. */
function scaleUpLimit(
  current: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: autoscalingv2.HPAScalingRules | undefined,
  nowMs: number,
): number {
  const select = rules?.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  const policies = rules?.policies ?? [];
  if (policies.length === 0) return Number.MAX_SAFE_INTEGER;
  const proposals = policies.map((p) => {
    const start =
      current - changeWithin(p.periodSeconds, ups, nowMs) + changeWithin(p.periodSeconds, downs, nowMs);
    return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  return select === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
}

/** Upstream's `calculateScaleDownLimitWithBehaviors`. */
function scaleDownLimit(
  current: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: autoscalingv2.HPAScalingRules | undefined,
  nowMs: number,
): number {
  const select = rules?.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  const policies = rules?.policies ?? [];
  if (policies.length === 0) return Number.MIN_SAFE_INTEGER;
  const proposals = policies.map((p) => {
    const start =
      current - changeWithin(p.periodSeconds, ups, nowMs) + changeWithin(p.periodSeconds, downs, nowMs);
    return p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
  });
  return select === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
}
