import { describe, expect, it } from '@jest/globals';
import type { ContainerStatus, PodSandboxStatus, corev1 } from '@tugboat/core';

import { Backoff } from '../src/pod/Backoff.js';
import { computePodActions, type ActionInput } from '../src/pod/computePodActions.js';
import { containerResources } from '../src/pod/containerResources.js';
import { containerHash, runtimeLabels } from '../src/pod/runtimeLabels.js';
import type { PodRuntimeState } from '../src/pod/runtimeState.js';

const pod = (spec: Partial<corev1.PodSpec>): corev1.Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'busybox:1.36' }], ...spec },
});

const sandbox = (state: PodSandboxStatus['state'] = 'SANDBOX_READY', attempt = 0): PodSandboxStatus => ({
  id: `sb${attempt}`,
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', attempt },
  state,
  createdAt: 1,
  labels: {},
  annotations: {},
  ip: '10.88.0.2',
});

let seq = 0;
const instance = (
  p: corev1.Pod,
  name: string,
  state: ContainerStatus['state'],
  over: Partial<ContainerStatus> & { restartCount?: number } = {},
): ContainerStatus => {
  const spec = [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].find(
    (c) => c.name === name,
  );
  return {
    id: `c${++seq}`,
    podSandboxId: 'sb0',
    metadata: { name, attempt: over.restartCount ?? 0 },
    image: 'busybox:1.36',
    imageRef: 'sha256:x',
    state,
    createdAt: 10,
    labels: { [runtimeLabels.containerName]: name },
    annotations: {
      [runtimeLabels.restartCount]: String(over.restartCount ?? 0),
      [runtimeLabels.hash]: spec ? containerHash(spec) : 'x',
    },
    startedAt: 10,
    finishedAt: state === 'CONTAINER_EXITED' ? 20 : 0,
    exitCode: 0,
    logPath: '/x',
    ...over,
  };
};

const input = (
  p: corev1.Pod,
  state: Partial<PodRuntimeState>,
  over: Partial<ActionInput> = {},
): ActionInput => ({
  pod: p,
  state: { sandboxes: state.current ? [state.current] : [], current: undefined, containers: [], ...state },
  backoff: { remaining: () => 0, delay: () => 10_000 },
  livenessFailures: new Map(),
  resetAfterMs: 600_000,
  ...over,
});

describe('computePodActions', () => {
  it('creates the sandbox and starts every app container of a new pod', () => {
    const p = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
    const a = computePodActions(input(p, {}));
    expect(a.createSandbox).toBe(true);
    expect(a.sandboxAttempt).toBe(0);
    expect(a.start.map((s) => [s.name, s.restartCount])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
  });

  it('recreates a sandbox that is not ready with the next attempt, restarting containers with continued counts', () => {
    const p = pod({});
    const old = instance(p, 'app', 'CONTAINER_EXITED', { restartCount: 4, exitCode: 137 });
    const a = computePodActions(input(p, { current: sandbox('SANDBOX_NOTREADY', 2), containers: [old] }));
    expect(a.createSandbox).toBe(true);
    expect(a.sandboxAttempt).toBe(3);
    expect(a.start).toEqual([{ name: 'app', init: false, restartCount: 5, restart: false }]);
  });

  it('starts init containers one at a time, then the app containers', () => {
    const p = pod({ initContainers: [{ name: 'i1' }, { name: 'i2' }] });
    const fresh = computePodActions(input(p, { current: sandbox() }));
    expect(fresh.start.map((s) => s.name)).toEqual(['i1']);
    const running = computePodActions(
      input(p, { current: sandbox(), containers: [instance(p, 'i1', 'CONTAINER_RUNNING')] }),
    );
    expect(running.start).toEqual([]);
    const i1done = instance(p, 'i1', 'CONTAINER_EXITED');
    expect(
      computePodActions(input(p, { current: sandbox(), containers: [i1done] })).start.map((s) => s.name),
    ).toEqual(['i2']);
    const all = [i1done, instance(p, 'i2', 'CONTAINER_EXITED')];
    expect(
      computePodActions(input(p, { current: sandbox(), containers: all })).start.map((s) => s.name),
    ).toEqual(['app']);
  });

  it('a failed init container is terminal under Never and restarted otherwise', () => {
    const never = pod({ restartPolicy: 'Never', initContainers: [{ name: 'i1' }] });
    const failed = instance(never, 'i1', 'CONTAINER_EXITED', { exitCode: 1 });
    expect(computePodActions(input(never, { current: sandbox(), containers: [failed] })).terminal).toBe(true);
    const always = pod({ initContainers: [{ name: 'i1' }] });
    const a = computePodActions(
      input(always, {
        current: sandbox(),
        containers: [instance(always, 'i1', 'CONTAINER_EXITED', { exitCode: 1 })],
      }),
    );
    expect(a.start).toEqual([{ name: 'i1', init: true, restartCount: 1, restart: true }]);
  });

  it('follows the restart policy for exited app containers', () => {
    for (const [policy, code, restarts] of [
      ['Always', 0, true],
      ['Always', 1, true],
      ['OnFailure', 0, false],
      ['OnFailure', 1, true],
      ['Never', 1, false],
    ] as const) {
      const p = pod({ restartPolicy: policy, containers: [{ name: 'app' }, { name: 'other' }] });
      const containers = [
        instance(p, 'app', 'CONTAINER_EXITED', { exitCode: code }),
        instance(p, 'other', 'CONTAINER_RUNNING'),
      ];
      const a = computePodActions(input(p, { current: sandbox(), containers }));
      expect([policy, code, a.start.length > 0]).toEqual([policy, code, restarts]);
    }
  });

  it('holds a crashed container back while its backoff runs, with the upstream message', () => {
    const p = pod({});
    const crashed = instance(p, 'app', 'CONTAINER_EXITED', { exitCode: 1, restartCount: 2 });
    const a = computePodActions(
      input(
        p,
        { current: sandbox(), containers: [crashed] },
        { backoff: { remaining: () => 5000, delay: () => 20_000 } },
      ),
    );
    expect(a.start).toEqual([]);
    expect(a.requeueAfterMs).toBe(5000);
    expect(a.waiting.get('app')).toEqual({
      reason: 'CrashLoopBackOff',
      message: 'back-off 20s restarting failed container=app pod=p_ns(u1)',
    });
  });

  it('restarts at once a container that ran longer than the reset period', () => {
    const p = pod({});
    const ranLong = instance(p, 'app', 'CONTAINER_EXITED', {
      exitCode: 1,
      startedAt: 1000,
      finishedAt: 701_000,
    });
    const a = computePodActions(
      input(
        p,
        { current: sandbox(), containers: [ranLong] },
        { backoff: { remaining: () => 5000, delay: () => 20_000 } },
      ),
    );
    expect(a.start.map((s) => s.name)).toEqual(['app']);
  });

  it('kills and recreates a running container whose spec changed, or whose liveness probe failed', () => {
    const p = pod({});
    const stale = {
      ...instance(p, 'app', 'CONTAINER_RUNNING'),
      annotations: { [runtimeLabels.hash]: 'old' },
    };
    const changed = computePodActions(input(p, { current: sandbox(), containers: [stale] }));
    expect(changed.kill).toEqual([
      { id: stale.id, name: 'app', message: 'Container app definition changed, will be restarted' },
    ]);
    expect(changed.start.map((s) => [s.name, s.restartCount])).toEqual([['app', 1]]);
    const live = instance(p, 'app', 'CONTAINER_RUNNING');
    const probed = computePodActions(
      input(p, { current: sandbox(), containers: [live] }, { livenessFailures: new Map([[live.id, 'bad']]) }),
    );
    expect(probed.kill.map((k) => k.message)).toEqual(['bad']);
    expect(probed.start).toHaveLength(1);
  });

  it('keeps the newest and the newest exited instance of each container and removes older ones', () => {
    const p = pod({});
    const containers = [3, 2, 1, 0].map((n) =>
      instance(p, 'app', n === 3 ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED', {
        restartCount: n,
        id: `i${n}`,
      }),
    );
    const a = computePodActions(input(p, { current: sandbox(), containers }));
    expect(a.remove).toEqual(['i1', 'i0']);
  });
});

describe('containerResources', () => {
  it('derives CPU shares, CFS quota and the memory limit as upstream', () => {
    expect(
      containerResources({
        name: 'c',
        resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '128Mi' } },
      }),
    ).toEqual({
      cpuShares: 256,
      cpuQuota: 50_000,
      cpuPeriod: 100_000,
      memoryLimitBytes: 134_217_728,
    });
    expect(containerResources({ name: 'c' })).toEqual({ cpuShares: 2 });
    expect(containerResources({ name: 'c', resources: { requests: { cpu: '1m' } } })).toEqual({
      cpuShares: 2,
    });
  });
});

describe('Backoff', () => {
  it('doubles up to the maximum and starts over after a long quiet period', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 40 });
    expect([b.next('k', 0), b.next('k', 1), b.next('k', 2), b.next('k', 3)]).toEqual([10, 20, 40, 40]);
    expect(b.remaining('k', 3, 10)).toBe(33);
    expect(b.next('k', 1000)).toBe(10);
  });
});
