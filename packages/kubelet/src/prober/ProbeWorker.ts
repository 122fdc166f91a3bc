import type { Clock, Logger, Runtime, TimerHandle, corev1 } from '@tugboat/core';

import type { ProbeOutcome } from './ProbeOutcome.js';
import { probeSettings, type ProbeSettings } from './probeSettings.js';
import { runProbe } from './runProbe.js';

/** The three kinds of probe a container can have. */
export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** The result a worker publishes; `unknown` only for a startup probe that has not yet decided. */
export type ProbeState = 'success' | 'failure' | 'unknown';

/** The running instance a worker probes. */
export interface ProbeInstance {
  readonly containerId: string;
  /** Milliseconds since the epoch; the initial delay counts from here. */
  readonly startedAt: number;
}

/** What a {@link ProbeWorker} needs from its manager. */
export interface ProbeWorkerHost {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Whether the container's startup probe (if any) has succeeded. */
  isStarted(containerName: string): boolean;
  /** Reports one probe attempt that was not a plain success (for events). */
  attempted(worker: ProbeWorker, outcome: ProbeOutcome): void;
  /** Called when {@link ProbeWorker.state} changes because of a probe. */
  changed(worker: ProbeWorker): void;
}

const initialState: Readonly<Record<ProbeType, ProbeState>> = {
  readiness: 'failure',
  liveness: 'success',
  startup: 'unknown',
};

/**
 * One timer loop probing one probe of one container, as upstream's prober worker: it waits out
 * the initial delay from the container's start, probes every period, and publishes a result only
 * after `successThreshold` / `failureThreshold` consecutive attempts agree. After a liveness or
 * startup failure it holds until the container id changes (the restart). A new container id starts
 * it afresh; a result that arrives for an older instance is dropped.
 */
export class ProbeWorker {
  /** The published result. */
  state: ProbeState;
  readonly settings: ProbeSettings;
  private instance: ProbeInstance | undefined;
  private container: corev1.Container;
  private podIp: string | undefined;
  private terminating = false;
  private lastResult: 'success' | 'failure' | undefined;
  private run = 0;
  private onHold = false;
  private restart: { containerId: string; taken: boolean } | undefined;
  private timer: TimerHandle | undefined;
  private inflight: AbortController | undefined;
  private generation = 0;
  private stopped = false;

  constructor(
    readonly type: ProbeType,
    readonly probe: corev1.Probe,
    container: corev1.Container,
    private readonly host: ProbeWorkerHost,
  ) {
    this.state = initialState[type];
    this.settings = probeSettings(probe);
    this.container = container;
  }

  /** The probed container's name. */
  get containerName(): string {
    return this.container.name;
  }

  /**
   * Points the worker at the container's current instance (`undefined`: not running) and the pod's
   * current state. Returns whether {@link state} changed.
   */
  update(
    container: corev1.Container,
    instance: ProbeInstance | undefined,
    podIp: string | undefined,
    terminating: boolean,
  ): boolean {
    if (this.stopped) return false;
    const before = this.state;
    this.container = container;
    this.podIp = podIp;
    this.terminating = terminating;
    if (instance?.containerId !== this.instance?.containerId) {
      this.instance = instance;
      this.generation++;
      this.abort();
      this.cancel();
      this.state = initialState[this.type];
      this.lastResult = undefined;
      this.run = 0;
      this.onHold = false;
      if (instance !== undefined) this.trigger();
    }
    // A pod being deleted stops receiving traffic at once (upstream sets readiness to failure).
    if (terminating && this.type === 'readiness') this.state = 'failure';
    return this.state !== before;
  }

  /** Probes as soon as the initial delay allows, unless a probe is already running or due. */
  trigger(): void {
    if (this.stopped || this.instance === undefined || this.onHold || this.inflight !== undefined) return;
    const dueAt = this.instance.startedAt + this.settings.initialDelayMs;
    this.schedule(Math.max(0, dueAt - this.host.clock.now()));
  }

  /**
   * The restart message once for `containerId` after a liveness or startup failure; `undefined`
   * otherwise and on every later call.
   */
  takeRestart(containerId: string): string | undefined {
    const r = this.restart;
    if (r === undefined || r.containerId !== containerId || r.taken) return undefined;
    r.taken = true;
    return `Container ${this.containerName} failed ${this.type} probe, will be restarted`;
  }

  /** Stops the loop for good; a network probe in flight is aborted, any other's result dropped. */
  stop(): void {
    this.stopped = true;
    this.generation++;
    this.abort();
    this.cancel();
  }

  private abort(): void {
    this.inflight?.abort();
    this.inflight = undefined;
  }

  private schedule(delayMs: number): void {
    this.cancel();
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
  }

  private cancel(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    const instance = this.instance;
    if (this.stopped || instance === undefined || this.onHold || this.inflight !== undefined) return;
    const now = this.host.clock.now();
    const dueAt = instance.startedAt + this.settings.initialDelayMs;
    if (now < dueAt) {
      this.schedule(dueAt - now);
      return;
    }
    // A started container is not startup-probed again; the others wait for it (the manager
    // triggers them when the startup probe succeeds).
    if (this.type === 'startup' && this.state === 'success') return;
    if (this.type !== 'startup' && !this.host.isStarted(this.containerName)) return;
    if (this.terminating) {
      // Liveness and startup are not acted on while the pod shuts down; readiness stays failed.
      this.schedule(this.settings.periodMs);
      return;
    }
    const generation = this.generation;
    const controller = new AbortController();
    this.inflight = controller;
    let outcome: ProbeOutcome;
    try {
      outcome = await runProbe(
        {
          probe: this.probe,
          container: this.container,
          containerId: instance.containerId,
          podIp: this.podIp,
        },
        this.host.runtime,
        this.host.clock,
        controller.signal,
      );
    } finally {
      if (this.inflight === controller) this.inflight = undefined;
    }
    // stop() and a new container instance bump the generation: this result is stale then.
    if (generation !== this.generation) return;
    this.record(outcome, instance.containerId);
    if (this.keepsProbing()) this.schedule(Math.max(0, now + this.settings.periodMs - this.host.clock.now()));
  }

  /** False once held for a restart, or for a startup probe that has succeeded. */
  private keepsProbing(): boolean {
    return !this.onHold && !(this.type === 'startup' && this.state === 'success');
  }

  private record(outcome: ProbeOutcome, containerId: string): void {
    if (outcome.result !== 'success') this.host.attempted(this, outcome);
    const result = outcome.result === 'success' || outcome.result === 'warning' ? 'success' : 'failure';
    if (this.lastResult === result) this.run++;
    else {
      this.lastResult = result;
      this.run = 1;
    }
    const threshold = result === 'success' ? this.settings.successThreshold : this.settings.failureThreshold;
    if (this.run < threshold) return;
    const before = this.state;
    this.state = result;
    if (result === 'failure' && this.type !== 'readiness') {
      // The container will be restarted: stop probing this instance until a new id shows up.
      this.onHold = true;
      this.run = 0;
      this.restart = { containerId, taken: false };
    }
    if (this.state !== before || this.onHold) this.host.changed(this);
  }
}
