import type { corev1 } from '@tugboat/core';

/** The timing of a probe in milliseconds, with upstream's defaults filled in. */
export interface ProbeSettings {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/**
 * Reads a probe's timing, defaulting as the apiserver does (0 s delay, 10 s period, 1 s timeout,
 * thresholds 1 and 3). Fractional seconds are honoured, which lets tests probe every 50 ms; values
 * the apiserver would reject (non-positive, non-finite) fall back to the default.
 */
export function probeSettings(probe: corev1.Probe): ProbeSettings {
  return {
    initialDelayMs: seconds(probe.initialDelaySeconds, 0, 0) * 1000,
    periodMs: seconds(probe.periodSeconds, 10, Number.MIN_VALUE) * 1000,
    timeoutMs: seconds(probe.timeoutSeconds, 1, Number.MIN_VALUE) * 1000,
    successThreshold: Math.ceil(seconds(probe.successThreshold, 1, 1)),
    failureThreshold: Math.ceil(seconds(probe.failureThreshold, 3, 1)),
  };
}

function seconds(value: number | undefined, fallback: number, min: number): number {
  return value !== undefined && Number.isFinite(value) && value >= min ? value : fallback;
}
