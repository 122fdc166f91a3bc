import type { ContainerStatus, corev1 } from '@tugboat/core';

import { containerHash, restartCountOf, runtimeLabels } from './runtimeLabels.js';
import { instancesOf, nameOf, type PodRuntimeState } from './runtimeState.js';

/** A container to create and start, with the restart count of the new instance. */
export interface StartAction {
  readonly name: string;
  readonly init: boolean;
  readonly restartCount: number;
  /** Whether an earlier instance ran and exited (so this start counts as a restart for backoff). */
  readonly restart: boolean;
}

/** A running container to stop. */
export interface KillAction {
  readonly id: string;
  readonly name: string;
  /** The Killing event's message. */
  readonly message: string;
}

/** Why a container is not running, as its status' waiting state shows it. */
export interface Waiting {
  readonly reason: string;
  readonly message?: string;
}

/** What a sync must do to bring the runtime in line with the pod's spec. */
export interface PodActions {
  /** Create a new sandbox (stopping the current one, if any, first); every container then starts afresh. */
  readonly createSandbox: boolean;
  readonly sandboxAttempt: number;
  /** The pod has finished (or failed for good): stop its sandbox, start nothing. */
  readonly terminal: boolean;
  readonly kill: readonly KillAction[];
  readonly start: readonly StartAction[];
  /** Containers held back (CrashLoopBackOff, RunContainerError), by name. */
  readonly waiting: ReadonlyMap<string, Waiting>;
  /** Re-sync after this long, when a backoff ends. */
  readonly requeueAfterMs?: number;
  /** Old exited instances to remove (the newest exited one of each container is kept for `--previous`). */
  readonly remove: readonly string[];
  /** Old sandboxes that hold nothing worth keeping. */
  readonly removeSandboxes: readonly string[];
}

/** The read-only view of the crash backoff {@link computePodActions} consults. */
export interface BackoffView {
  /** Milliseconds until the container may restart after its last exit at `finishedAt` (0: now). */
  remaining(name: string, finishedAt: number): number;
  /** The current delay, for the CrashLoopBackOff message. */
  delay(name: string): number;
}

/** Everything {@link computePodActions} decides from. */
export interface ActionInput {
  readonly pod: corev1.Pod;
  readonly state: PodRuntimeState;
  readonly backoff: BackoffView;
  /** Running container ids whose liveness (or startup) probe failed, with the Killing message. */
  readonly livenessFailures: ReadonlyMap<string, string>;
  /** A container that ran at least this long before exiting restarts without backoff. */
  readonly resetAfterMs: number;
}

/** Whether an exited container restarts under the pod's restart policy. */
export function shouldRestart(policy: string | undefined, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

function exited(c: ContainerStatus): boolean {
  return c.state === 'CONTAINER_EXITED' || c.state === 'CONTAINER_CREATED' || c.state === 'CONTAINER_UNKNOWN';
}

function exitCodeOf(c: ContainerStatus): number {
  return c.state === 'CONTAINER_EXITED' ? c.exitCode : 128;
}

function nextCount(all: readonly ContainerStatus[]): number {
  const newest = all[0];
  return newest ? restartCountOf(newest.annotations) + 1 : 0;
}

function durationText(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m0s`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Decides a pod's next actions from its spec, what the runtime holds and the backoff state, as
 * upstream's `computePodActions`: (re)create the sandbox when it is gone or not ready, run init
 * containers one at a time to success, then start every app container, restart exited ones under
 * the restart policy with CrashLoopBackOff, and kill containers whose spec changed or whose
 * liveness probe failed. A pure function: executing the actions is the caller's job.
 */
export function computePodActions(input: ActionInput): PodActions {
  const { pod, state, backoff } = input;
  const spec = pod.spec ?? { containers: [] };
  const policy = spec.restartPolicy ?? 'Always';
  const initSpecs = spec.initContainers ?? [];
  const appSpecs = spec.containers;
  const sandbox = state.current;
  const kill: KillAction[] = [];
  const start: StartAction[] = [];
  const waiting = new Map<string, Waiting>();
  let requeue: number | undefined;
  const later = (ms: number): void => {
    requeue = requeue === undefined ? ms : Math.min(requeue, ms);
  };
  const { remove, removeSandboxes } = garbage(state);
  const result = (over: Partial<PodActions>): PodActions => ({
    createSandbox: false,
    sandboxAttempt: sandbox?.metadata.attempt ?? 0,
    terminal: false,
    kill,
    start,
    waiting,
    remove,
    removeSandboxes,
    ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}),
    ...over,
  });

  if (isTerminal(pod, state)) return result({ terminal: true });

  const sandboxReady = sandbox?.state === 'SANDBOX_READY';
  if (!sandboxReady) {
    const first = initSpecs[0];
    if (first)
      start.push({
        name: first.name,
        init: true,
        restartCount: nextCount(instancesOf(state, first.name)),
        restart: false,
      });
    else
      for (const c of appSpecs)
        start.push({
          name: c.name,
          init: false,
          restartCount: nextCount(instancesOf(state, c.name)),
          restart: false,
        });
    return result({ createSandbox: true, sandboxAttempt: sandbox ? sandbox.metadata.attempt + 1 : 0 });
  }

  const sid = sandbox.id;
  const wanted = new Set([...initSpecs, ...appSpecs].map((c) => c.name));
  for (const c of state.containers) {
    if (c.podSandboxId === sid && c.state === 'CONTAINER_RUNNING' && !wanted.has(nameOf(c)))
      kill.push({ id: c.id, name: nameOf(c), message: `Stopping container ${nameOf(c)}` });
  }

  // Restarts an exited container now, or holds it back while its crash backoff runs.
  const restartOrWait = (
    name: string,
    init: boolean,
    last: ContainerStatus,
    all: ContainerStatus[],
  ): void => {
    const ranMs = last.finishedAt > 0 && last.startedAt > 0 ? last.finishedAt - last.startedAt : 0;
    const finishedAt = last.finishedAt || last.createdAt;
    const wait = ranMs >= input.resetAfterMs ? 0 : backoff.remaining(name, finishedAt);
    if (wait > 0) {
      const uid = pod.metadata?.uid ?? '';
      const podRef = `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${uid})`;
      const startFailed = last.reason === 'StartError' || last.reason === 'ContainerCannotRun';
      waiting.set(
        name,
        startFailed
          ? { reason: 'RunContainerError', message: last.message ?? 'failed to start container' }
          : {
              reason: 'CrashLoopBackOff',
              message: `back-off ${durationText(backoff.delay(name))} restarting failed container=${name} pod=${podRef}`,
            },
      );
      later(wait);
      return;
    }
    start.push({ name, init, restartCount: nextCount(all), restart: true });
  };

  // Init containers: each to successful completion before the next, unless app containers already started.
  const appStarted = appSpecs.some((c) => instancesOf(state, c.name, sid).length > 0);
  if (!appStarted) {
    for (const c of initSpecs) {
      const all = instancesOf(state, c.name);
      const last = all.find((i) => i.podSandboxId === sid);
      if (!last) {
        start.push({ name: c.name, init: true, restartCount: nextCount(all), restart: false });
        return result({});
      }
      if (last.state === 'CONTAINER_RUNNING') return result({});
      if (exitCodeOf(last) === 0) continue;
      // restartPolicy Never with a failed init container is terminal (isTerminal above).
      restartOrWait(c.name, true, last, all);
      return result({});
    }
  }

  for (const c of appSpecs) {
    const all = instancesOf(state, c.name);
    const last = all.find((i) => i.podSandboxId === sid);
    if (!last) {
      start.push({ name: c.name, init: false, restartCount: nextCount(all), restart: false });
      continue;
    }
    if (last.state === 'CONTAINER_RUNNING') {
      const liveness = input.livenessFailures.get(last.id);
      const changed = last.annotations[runtimeLabels.hash] !== containerHash(c);
      if (changed || liveness !== undefined) {
        kill.push({
          id: last.id,
          name: c.name,
          message: changed ? `Container ${c.name} definition changed, will be restarted` : (liveness ?? ''),
        });
        // A killed container ends with 137, so every policy but Never restarts it.
        if (changed || policy !== 'Never')
          start.push({ name: c.name, init: false, restartCount: nextCount(all), restart: !changed });
      }
      continue;
    }
    if (exited(last) && shouldRestart(policy, exitCodeOf(last))) restartOrWait(c.name, false, last, all);
  }
  return result({});
}

/**
 * Whether the pod has finished for good: an init container failed under restartPolicy Never, or
 * every app container exited and none restarts under the policy.
 */
export function isTerminal(pod: corev1.Pod, state: PodRuntimeState): boolean {
  const spec = pod.spec ?? { containers: [] };
  const policy = spec.restartPolicy ?? 'Always';
  if (policy === 'Always') return false;
  if (policy === 'Never') {
    for (const c of spec.initContainers ?? []) {
      const last = instancesOf(state, c.name)[0];
      if (last && exited(last) && exitCodeOf(last) !== 0) return true;
    }
  }
  return (
    spec.containers.length > 0 &&
    spec.containers.every((c) => {
      const last = instancesOf(state, c.name)[0];
      return last !== undefined && exited(last) && !shouldRestart(policy, exitCodeOf(last));
    })
  );
}

/** Old instances beyond the newest and the newest exited one of each container, and empty old sandboxes. */
function garbage(state: PodRuntimeState): { remove: string[]; removeSandboxes: string[] } {
  const keep = new Set<string>();
  const remove: string[] = [];
  const seen = new Map<string, { newest: boolean; exited: boolean }>();
  for (const c of state.containers) {
    const name = nameOf(c);
    const s = seen.get(name) ?? { newest: false, exited: false };
    if (!s.newest) {
      s.newest = true;
      if (c.state !== 'CONTAINER_RUNNING') s.exited = true;
      keep.add(c.id);
    } else if (c.state === 'CONTAINER_RUNNING') keep.add(c.id);
    else if (!s.exited) {
      s.exited = true;
      keep.add(c.id);
    } else remove.push(c.id);
    seen.set(name, s);
  }
  const current = state.sandboxes[0]?.id;
  const used = new Set(state.containers.filter((c) => keep.has(c.id)).map((c) => c.podSandboxId));
  const removeSandboxes = state.sandboxes.filter((s) => s.id !== current && !used.has(s.id)).map((s) => s.id);
  return { remove, removeSandboxes };
}
