import { metaTime } from '@tugboat/core';
import type { corev1 } from '@tugboat/core';

import type { Waiting } from './computePodActions.js';
import { containerStatus } from './containerStatuses.js';
import type { PodRuntimeState } from './runtimeState.js';

/** Everything {@link podStatus} derives a pod's status from. */
export interface PodStatusInput {
  readonly pod: corev1.Pod;
  readonly state: PodRuntimeState;
  /** Waiting reasons the last sync left, by container name. */
  readonly waiting: ReadonlyMap<string, Waiting>;
  readonly isReady: (name: string) => boolean;
  readonly isStarted: (name: string) => boolean;
  readonly runtimeName: string;
  readonly hostIp: string;
  readonly now: number;
}

function stateOf(s: corev1.ContainerStatus): 'running' | 'terminated' | 'waiting' {
  if (s.state?.running) return 'running';
  if (s.state?.terminated) return 'terminated';
  return 'waiting';
}

/** The pod phase from its container statuses, as upstream's `getPhase`. */
export function podPhase(
  spec: corev1.PodSpec,
  init: readonly corev1.ContainerStatus[],
  app: readonly corev1.ContainerStatus[],
): string {
  const policy = spec.restartPolicy ?? 'Always';
  let initPending = 0;
  for (const s of init) {
    const t = s.state?.terminated ?? (s.state?.waiting ? s.lastState?.terminated : undefined);
    if (t && t.exitCode !== 0 && policy === 'Never') return 'Failed';
    if (!(s.state?.terminated && s.state.terminated.exitCode === 0)) initPending++;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    const st = stateOf(s);
    if (st === 'running') running++;
    else if (st === 'terminated') {
      stopped++;
      if (s.state?.terminated?.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (initPending > 0 && running === 0 && stopped === 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(
  previous: readonly corev1.PodCondition[],
  type: string,
  ok: boolean,
  now: number,
  reason?: string,
  message?: string,
): corev1.PodCondition {
  const status = ok ? 'True' : 'False';
  const old = previous.find((c) => c.type === type);
  const c: corev1.PodCondition = {
    type,
    status,
    lastTransitionTime:
      old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : metaTime(now),
  };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/**
 * A pod's status from its runtime state, the last sync's waiting reasons and the prober's
 * readiness: phase, conditions (PodReadyToStartContainers, Initialized, Ready, ContainersReady,
 * PodScheduled), container and init container statuses, IPs, start time and QoS class. A pure
 * function; the previous status only supplies times that must not move.
 */
export function podStatus(input: PodStatusInput): corev1.PodStatus {
  const { pod, state, now } = input;
  const spec = pod.spec ?? { containers: [] };
  const previous = pod.status ?? {};
  const prevConditions = previous.conditions ?? [];
  const base = {
    state,
    waiting: input.waiting,
    runtimeName: input.runtimeName,
    isReady: input.isReady,
    isStarted: input.isStarted,
  };
  const init = (spec.initContainers ?? []).map((c) =>
    containerStatus(c, { ...base, defaultWaiting: 'PodInitializing' }),
  );
  const initDone = init.every((s) => s.state?.terminated?.exitCode === 0);
  const app = spec.containers.map((c) =>
    containerStatus(c, { ...base, defaultWaiting: initDone ? 'ContainerCreating' : 'PodInitializing' }),
  );
  const phase = podPhase(spec, init, app);
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const sandboxReady = state.current?.state === 'SANDBOX_READY';
  const podIp = spec.hostNetwork ? input.hostIp : state.current?.ip;

  const incompleteInit = init.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const unready = app.filter((s) => !s.ready).map((s) => s.name);
  const readyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: corev1.PodCondition[] = [
    condition(prevConditions, 'PodReadyToStartContainers', sandboxReady, now),
    condition(
      prevConditions,
      'Initialized',
      initDone || completed,
      now,
      'ContainersNotInitialized',
      `containers with incomplete status: [${incompleteInit.join(' ')}]`,
    ),
    condition(prevConditions, 'Ready', unready.length === 0 && !completed, now, readyReason, readyMessage),
    condition(
      prevConditions,
      'ContainersReady',
      unready.length === 0 && !completed,
      now,
      readyReason,
      readyMessage,
    ),
    prevConditions.find((c) => c.type === 'PodScheduled') ?? condition([], 'PodScheduled', true, now),
  ];

  const status: corev1.PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIp,
    hostIPs: [{ ip: input.hostIp }],
    startTime: previous.startTime ?? metaTime(now),
    containerStatuses: app,
  };
  if (podIp) {
    status.podIP = podIp;
    status.podIPs = [{ ip: podIp }];
  } else if (previous.podIP) {
    // A stopped sandbox has no address any more; upstream keeps reporting the last one.
    status.podIP = previous.podIP;
    if (previous.podIPs) status.podIPs = previous.podIPs;
  }
  if (init.length > 0) status.initContainerStatuses = init;
  if (previous.qosClass) status.qosClass = previous.qosClass;
  if (previous.nominatedNodeName) status.nominatedNodeName = previous.nominatedNodeName;
  return status;
}
