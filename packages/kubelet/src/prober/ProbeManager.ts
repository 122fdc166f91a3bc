import type { Clock, EventRecorder, Logger, Runtime, corev1 } from '@tugboat/core';

import type { ProbeOutcome } from './ProbeOutcome.js';
import { ProbeWorker, type ProbeType, type ProbeWorkerHost } from './ProbeWorker.js';

/** Options of a {@link ProbeManager}. */
export interface ProbeManagerOptions {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where `Unhealthy` events go (none: not recorded). Only `event` is used. */
  readonly recorder?: Pick<EventRecorder, 'event'>;
  /** Called whenever a probe result of the pod changes, so the kubelet re-syncs it. */
  readonly onResult: (podUid: string) => void;
}

/** A running container the manager probes; a new `containerId` starts its probes afresh. */
export interface ProbedContainer {
  readonly name: string;
  readonly containerId: string;
  /** When it started, milliseconds since the epoch. */
  readonly startedAt: number;
}

const probeTypes: readonly ProbeType[] = ['startup', 'liveness', 'readiness'];

const capitalised: Readonly<Record<ProbeType, string>> = {
  liveness: 'Liveness',
  readiness: 'Readiness',
  startup: 'Startup',
};

/** The probe workers of one pod, keyed `<container>/<type>`. */
interface PodProbes {
  pod: corev1.Pod;
  readonly workers: Map<string, ProbeWorker>;
}

/**
 * Runs the liveness, readiness and startup probes of the pods on this node, one independent
 * {@link ProbeWorker} per container and probe, as upstream's prober manager. The pod worker tells
 * it which containers run ({@link syncPod}) and reads the results back: {@link isReady} for the
 * Ready condition, {@link isStarted} for `started`, and {@link takeRestart} to learn that a
 * container must be restarted. Failed attempts become `Unhealthy` Warning events about the pod.
 */
export class ProbeManager {
  private readonly pods = new Map<string, PodProbes>();
  private readonly log: Logger;
  private stopped = false;

  constructor(readonly options: ProbeManagerOptions) {
    this.log = options.logger.child({ component: 'prober' });
  }

  /**
   * Starts and stops probe workers to match the pod's running containers: a container that is not
   * in `running` is not probed (and not ready); one with a new id is probed afresh from its start.
   */
  syncPod(pod: corev1.Pod, running: readonly ProbedContainer[], podIp: string | undefined): void {
    const uid = pod.metadata?.uid;
    if (this.stopped || !uid) return;
    const byName = new Map(running.map((c) => [c.name, c]));
    let entry = this.pods.get(uid);
    if (entry === undefined) {
      entry = { pod, workers: new Map() };
      this.pods.set(uid, entry);
    }
    entry.pod = pod;
    const terminating = pod.metadata?.deletionTimestamp != null;
    const wanted = new Set<string>();
    let changed = false;
    for (const container of probedContainers(pod)) {
      for (const type of probeTypes) {
        const probe = container[`${type}Probe`];
        if (!probe) continue;
        const key = `${container.name}/${type}`;
        wanted.add(key);
        let worker = entry.workers.get(key);
        if (worker === undefined) {
          worker = new ProbeWorker(type, probe, container, this.host(uid));
          entry.workers.set(key, worker);
        }
        const instance = byName.get(container.name);
        if (worker.update(container, instance, podIp, terminating)) changed = true;
      }
    }
    for (const [key, worker] of entry.workers) {
      if (wanted.has(key)) continue;
      worker.stop();
      entry.workers.delete(key);
    }
    // Deferred so that the pod worker calling us is not re-entered.
    if (changed)
      queueMicrotask(() => {
        this.notify(uid);
      });
  }

  /** Stops probing the pod and forgets its results. */
  removePod(podUid: string): void {
    const entry = this.pods.get(podUid);
    if (entry === undefined) return;
    for (const worker of entry.workers.values()) worker.stop();
    this.pods.delete(podUid);
  }

  /** Whether the container passes its readiness probe: true without one, false until its first success. */
  isReady(podUid: string, containerName: string): boolean {
    const worker = this.pods.get(podUid)?.workers.get(`${containerName}/readiness`);
    return worker === undefined || worker.state === 'success';
  }

  /** Whether the container passed its startup probe: true without one. */
  isStarted(podUid: string, containerName: string): boolean {
    const worker = this.pods.get(podUid)?.workers.get(`${containerName}/startup`);
    return worker === undefined || worker.state === 'success';
  }

  /**
   * `{message}` once for this container instance when its liveness (or startup) probe failed
   * `failureThreshold` times in a row, so the pod worker kills and restarts it.
   */
  takeRestart(
    podUid: string,
    containerName: string,
    containerId: string,
  ): { readonly message: string } | undefined {
    const workers = this.pods.get(podUid)?.workers;
    for (const type of ['liveness', 'startup'] as const) {
      const message = workers?.get(`${containerName}/${type}`)?.takeRestart(containerId);
      if (message !== undefined) return { message };
    }
    return undefined;
  }

  /** Stops every worker; later calls to {@link syncPod} do nothing. */
  stop(): void {
    this.stopped = true;
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  private host(uid: string): ProbeWorkerHost {
    return {
      runtime: this.options.runtime,
      clock: this.options.clock,
      logger: this.log,
      isStarted: (name) => this.isStarted(uid, name),
      attempted: (worker, outcome) => {
        this.attempted(uid, worker, outcome);
      },
      changed: (worker) => {
        if (worker.type === 'startup' && worker.state === 'success') {
          const workers = this.pods.get(uid)?.workers;
          workers?.get(`${worker.containerName}/liveness`)?.trigger();
          workers?.get(`${worker.containerName}/readiness`)?.trigger();
        }
        this.notify(uid);
      },
    };
  }

  private attempted(uid: string, worker: ProbeWorker, outcome: ProbeOutcome): void {
    const pod = this.pods.get(uid)?.pod;
    if (pod === undefined) return;
    const kind = capitalised[worker.type];
    const [reason, message] =
      outcome.result === 'warning'
        ? ['ProbeWarning', `${kind} probe warning: ${outcome.output}`]
        : outcome.result === 'error'
          ? ['Unhealthy', `${kind} probe errored and resulted in unknown state: ${outcome.output}`]
          : ['Unhealthy', `${kind} probe failed: ${outcome.output}`];
    this.log.debug('probe did not succeed', {
      pod: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`,
      container: worker.containerName,
      probe: worker.type,
      result: outcome.result,
      output: outcome.output,
    });
    this.options.recorder?.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', reason, message);
  }

  private notify(uid: string): void {
    if (this.stopped || !this.pods.has(uid)) return;
    try {
      this.options.onResult(uid);
    } catch (err) {
      this.log.warn('probe result callback failed', { uid, error: String(err) });
    }
  }
}

/** App containers and restartable init containers (sidecars), which are probed like app containers. */
function probedContainers(pod: corev1.Pod): corev1.Container[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...sidecars, ...(pod.spec?.containers ?? [])];
}
