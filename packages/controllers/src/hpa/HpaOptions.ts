import { token, type Clock } from '@tugboat/core';

/** Options of the HorizontalPodAutoscaler controller: upstream's controller-manager flags. */
export interface HpaOptions {
  /** How often every HPA is evaluated (`--horizontal-pod-autoscaler-sync-period`, 15 s). */
  readonly syncPeriodMs?: number;
  /** Ratio change below which nothing is scaled (`--horizontal-pod-autoscaler-tolerance`, 0.1). */
  readonly tolerance?: number;
  /** Scale-down stabilization when `behavior` sets none (`--horizontal-pod-autoscaler-downscale-stabilization`, 300 s). */
  readonly downscaleStabilizationMs?: number;
  /** CPU samples of a starting pod are distrusted this long (`--horizontal-pod-autoscaler-cpu-initialization-period`, 300 s). */
  readonly cpuInitializationPeriodMs?: number;
  /** A pod not ready within this of its start is ignored for CPU (`--horizontal-pod-autoscaler-initial-readiness-delay`, 30 s). */
  readonly initialReadinessDelayMs?: number;
  readonly clock?: Clock;
}

/** Inversify token for {@link HpaOptions}; optional (upstream's defaults apply). */
export const HpaOptions = token<HpaOptions>('controllers/HpaOptions');
