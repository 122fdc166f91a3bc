import { describe, expect, it } from '@jest/globals';
import type { ContainerStatus, PodSandboxStatus, corev1 } from '@tugboat/core';

import type { Waiting } from '../src/pod/computePodActions.js';
import { podPhase, podStatus } from '../src/pod/podStatus.js';
import { runtimeLabels } from '../src/pod/runtimeLabels.js';
import type { PodRuntimeState } from '../src/pod/runtimeState.js';

const sandbox: PodSandboxStatus = {
  id: 'sb',
  metadata: { name: 'p', namespace: 'ns', uid: 'u', attempt: 0 },
  state: 'SANDBOX_READY',
  createdAt: 0,
  labels: {},
  annotations: {},
  ip: '10.88.0.9',
};

const inst = (
  name: string,
  state: ContainerStatus['state'],
  n: number,
  over: Partial<ContainerStatus> = {},
): ContainerStatus => ({
  id: `${name}-${n}`,
  podSandboxId: 'sb',
  metadata: { name, attempt: n },
  image: 'busybox',
  imageRef: 'sha256:abc',
  state,
  createdAt: 1_700_000_000_000 + n,
  labels: { [runtimeLabels.containerName]: name },
  annotations: { [runtimeLabels.restartCount]: String(n) },
  startedAt: 1_700_000_000_000,
  finishedAt: state === 'CONTAINER_EXITED' ? 1_700_000_060_000 : 0,
  exitCode: 0,
  logPath: '/l',
  ...over,
});

const pod = (
  spec: Partial<corev1.PodSpec>,
  status: corev1.PodStatus = { qosClass: 'BestEffort' },
): corev1.Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u' },
  spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
  status,
});

const status = (
  p: corev1.Pod,
  containers: ContainerStatus[],
  waiting: Record<string, Waiting> = {},
  ready = true,
): corev1.PodStatus => {
  const state: PodRuntimeState = { sandboxes: [sandbox], current: sandbox, containers };
  return podStatus({
    pod: p,
    state,
    waiting: new Map(Object.entries(waiting)),
    isReady: () => ready,
    isStarted: () => true,
    runtimeName: 'containerd',
    hostIp: '192.168.1.5',
    now: Date.parse('2026-01-01T00:00:00Z'),
  });
};

describe('podStatus', () => {
  it('reports a running pod with ready conditions, IPs and container details', () => {
    const s = status(pod({}), [inst('app', 'CONTAINER_RUNNING', 0)]);
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.88.0.9');
    expect(s.podIPs).toEqual([{ ip: '10.88.0.9' }]);
    expect(s.hostIPs).toEqual([{ ip: '192.168.1.5' }]);
    expect(s.qosClass).toBe('BestEffort');
    expect(s.startTime).toBe('2026-01-01T00:00:00Z');
    expect(s.containerStatuses?.[0]).toEqual({
      name: 'app',
      image: 'busybox',
      imageID: 'sha256:abc',
      containerID: 'containerd://app-0',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: '2023-11-14T22:13:20Z' } },
      lastState: {},
    });
    expect(s.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
  });

  it('is Pending with ContainerCreating before anything runs, and PodInitializing behind init containers', () => {
    expect(status(pod({}), []).containerStatuses?.[0]?.state).toEqual({
      waiting: { reason: 'ContainerCreating' },
    });
    const s = status(pod({ initContainers: [{ name: 'init', image: 'busybox' }] }), [
      inst('init', 'CONTAINER_RUNNING', 0),
    ]);
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init]',
    });
  });

  it('shows a crash loop as waiting CrashLoopBackOff over the last termination, in phase Running', () => {
    const s = status(
      pod({}),
      [inst('app', 'CONTAINER_EXITED', 3, { exitCode: 1, reason: 'Error' })],
      {
        app: {
          reason: 'CrashLoopBackOff',
          message: 'back-off 40s restarting failed container=app pod=p_ns(u)',
        },
      },
      false,
    );
    expect(s.phase).toBe('Running');
    const c = s.containerStatuses?.[0];
    expect(c?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(c?.lastState?.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
      containerID: 'containerd://app-3',
    });
    expect(c?.restartCount).toBe(3);
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
  });

  it('keeps transition times of unchanged conditions and the start time', () => {
    const first = status(pod({}), [inst('app', 'CONTAINER_RUNNING', 0)]);
    const later = podStatus({
      pod: pod({}, { ...first, startTime: '2025-01-01T00:00:00Z' }),
      state: { sandboxes: [sandbox], current: sandbox, containers: [inst('app', 'CONTAINER_RUNNING', 0)] },
      waiting: new Map(),
      isReady: () => true,
      isStarted: () => true,
      runtimeName: 'containerd',
      hostIp: '192.168.1.5',
      now: Date.parse('2026-06-01T00:00:00Z'),
    });
    expect(later.conditions).toEqual(first.conditions);
    expect(later.startTime).toBe('2025-01-01T00:00:00Z');
  });
});

describe('podPhase', () => {
  const run = { state: { running: {} } } as corev1.ContainerStatus;
  const term = (exitCode: number): corev1.ContainerStatus =>
    ({ state: { terminated: { exitCode } } }) as corev1.ContainerStatus;
  const wait = { state: { waiting: { reason: 'ContainerCreating' } } } as corev1.ContainerStatus;
  it('derives the phase as upstream getPhase', () => {
    const spec = (restartPolicy: string): corev1.PodSpec => ({ containers: [], restartPolicy });
    expect(podPhase(spec('Always'), [], [run, wait])).toBe('Pending');
    expect(podPhase(spec('Always'), [], [run, term(0)])).toBe('Running');
    expect(podPhase(spec('Always'), [], [term(0)])).toBe('Running');
    expect(podPhase(spec('Never'), [], [term(0), term(0)])).toBe('Succeeded');
    expect(podPhase(spec('Never'), [], [term(0), term(1)])).toBe('Failed');
    expect(podPhase(spec('OnFailure'), [], [term(0)])).toBe('Succeeded');
    expect(podPhase(spec('Never'), [term(1)], [wait])).toBe('Failed');
    expect(podPhase(spec('Always'), [run], [wait])).toBe('Pending');
  });
});
