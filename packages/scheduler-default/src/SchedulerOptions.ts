import { token, type Clock, type corev1, type PluginFactory } from '@tugboat/core';

import type { PluginRegistry } from './framework/PluginRegistry.js';
import type { ProfileConfig } from './framework/Profile.js';

/** Options of the {@link Scheduler}; every field has upstream's default. */
export interface SchedulerOptions {
  /** Profiles by scheduler name (default: one `default-scheduler` profile with the default plugins). */
  readonly profiles?: readonly ProfileConfig[];
  /** Out-of-tree plugins, merged into the in-tree registry (a taken name is refused). */
  readonly outOfTreeRegistry?: PluginRegistry | Readonly<Record<string, PluginFactory>>;
  /** 0 (adaptive, the default) or 1–100. */
  readonly percentageOfNodesToScore?: number;
  /** Bindings in flight at once (default 256). */
  readonly parallelism?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxInUnschedulableMs?: number;
  readonly clock?: Clock;
  /**
   * Called after every scheduling attempt with its outcome and duration (pop → binding done), the
   * figure upstream exports as scheduling_attempt_duration_seconds.
   */
  readonly onAttempt?: (attempt: SchedulingAttempt) => void;
}

/** One scheduling attempt, as reported to {@link SchedulerOptions.onAttempt}. */
export interface SchedulingAttempt {
  readonly pod: corev1.Pod;
  readonly result: 'scheduled' | 'unschedulable' | 'error';
  readonly nodeName?: string;
  readonly durationMs: number;
}

/** Inversify token for {@link SchedulerOptions}. */
export const SchedulerOptions = token<SchedulerOptions>('scheduler-default/SchedulerOptions');
