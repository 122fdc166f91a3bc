import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { silentLogger, type corev1 } from '@tugboat/core';
import { ManualClock } from '@tugboat/runtime-fake';

import { ProbeManager } from '../src/prober/ProbeManager.js';
import { FakeNodeFixture, podWith, recordingEvents, type RecordedEvent } from './proberHarness.js';

const uid = 'uid-web';

/** Exec answers the test flips: a command listed as healthy exits 0, any other exits 1. */
let healthy: Set<string>;
let clock: ManualClock;
let fixture: FakeNodeFixture;
let events: RecordedEvent[];
let results: string[];
let manager: ProbeManager;
let execs: string[];

beforeEach(() => {
  healthy = new Set();
  clock = new ManualClock();
  fixture = new FakeNodeFixture(clock);
  fixture.behaviours.forContainer('app', {
    steps: [{ forever: true }],
    exec: (cmd) => {
      const line = cmd.join(' ');
      return healthy.has(line) ? { stdout: `${line}: ok` } : { stdout: `${line}: unhealthy`, exitCode: 1 };
    },
  });
  execs = [];
  const original = fixture.runtime.execSync.bind(fixture.runtime);
  jest.spyOn(fixture.runtime, 'execSync').mockImplementation((id, cmd, timeout) => {
    execs.push(cmd.join(' '));
    return original(id, cmd, timeout);
  });
  const recorded = recordingEvents();
  events = recorded.events;
  results = [];
  manager = new ProbeManager({
    runtime: fixture.runtime,
    clock,
    logger: silentLogger,
    recorder: recorded.recorder,
    onResult: (podUid) => results.push(podUid),
  });
});

afterEach(async () => {
  manager.stop();
  await fixture.cleanup();
});

function app(
  probes: Pick<corev1.Container, 'livenessProbe' | 'readinessProbe' | 'startupProbe'>,
): corev1.Pod {
  return podWith([{ name: 'app', image: 'busybox:1.35', ...probes }]);
}

const exec = (command: string, extra: Partial<corev1.Probe> = {}): corev1.Probe => ({
  exec: { command: command.split(' ') },
  periodSeconds: 1,
  ...extra,
});

const count = (command: string): number => execs.filter((e) => e === command).length;

describe('readiness', () => {
  it('is false until successThreshold successes, then follows failureThreshold failures and recovers', async () => {
    const pod = app({ readinessProbe: exec('ready', { successThreshold: 2, failureThreshold: 2 }) });
    const c = await fixture.start('app');
    healthy.add('ready');
    manager.syncPod(pod, [c], '10.88.0.5');
    expect(manager.isReady(uid, 'app')).toBe(false);
    await clock.advance(0);
    expect(count('ready')).toBe(1);
    expect(manager.isReady(uid, 'app')).toBe(false);
    await clock.advance(1000);
    expect(manager.isReady(uid, 'app')).toBe(true);
    expect(results).toEqual([uid]);

    healthy.delete('ready');
    await clock.advance(1000);
    expect(manager.isReady(uid, 'app')).toBe(true);
    await clock.advance(1000);
    expect(manager.isReady(uid, 'app')).toBe(false);
    expect(results).toEqual([uid, uid]);
    expect(events).toContainEqual({
      object: 'Pod/web',
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: ready: unhealthy',
    });

    healthy.add('ready');
    await clock.advance(2000);
    expect(manager.isReady(uid, 'app')).toBe(true);
    expect(results).toHaveLength(3);
  });

  it('is true for a container without a readiness probe and false for one that is not running', async () => {
    const pod = app({ readinessProbe: exec('ready') });
    expect(manager.isReady(uid, 'app')).toBe(true);
    manager.syncPod(pod, [], '10.88.0.5');
    await clock.advance(5000);
    expect(manager.isReady(uid, 'app')).toBe(false);
    expect(execs).toEqual([]);
    manager.syncPod(podWith([{ name: 'plain', image: 'busybox:1.35' }]), [], undefined);
    expect(manager.isReady(uid, 'plain')).toBe(true);
  });

  it('turns false as soon as the pod is being deleted', async () => {
    const pod = app({ readinessProbe: exec('ready') });
    const c = await fixture.start('app');
    healthy.add('ready');
    manager.syncPod(pod, [c], '10.88.0.5');
    await clock.advance(0);
    expect(manager.isReady(uid, 'app')).toBe(true);
    const deleting = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    manager.syncPod(deleting, [c], '10.88.0.5');
    expect(manager.isReady(uid, 'app')).toBe(false);
    await clock.advance(3000);
    expect(manager.isReady(uid, 'app')).toBe(false);
    expect(results).toEqual([uid, uid]);
  });
});

describe('liveness', () => {
  it('waits initialDelaySeconds from the container start', async () => {
    const pod = app({ livenessProbe: exec('live', { initialDelaySeconds: 5 }) });
    const c = await fixture.start('app');
    healthy.add('live');
    manager.syncPod(pod, [c], '10.88.0.5');
    await clock.advance(4999);
    expect(count('live')).toBe(0);
    await clock.advance(1);
    expect(count('live')).toBe(1);
    await clock.advance(1000);
    expect(count('live')).toBe(2);
  });

  it('asks for a restart once per container after failureThreshold failures, then holds until a new id', async () => {
    const pod = app({ livenessProbe: exec('live', { failureThreshold: 3 }) });
    const first = await fixture.start('app');
    manager.syncPod(pod, [first], '10.88.0.5');
    await clock.advance(1000);
    expect(count('live')).toBe(2);
    expect(manager.takeRestart(uid, 'app', first.containerId)).toBeUndefined();
    await clock.advance(1000);
    expect(count('live')).toBe(3);
    expect(results).toEqual([uid]);
    expect(manager.takeRestart(uid, 'app', 'other-id')).toBeUndefined();
    expect(manager.takeRestart(uid, 'app', first.containerId)).toEqual({
      message: 'Container app failed liveness probe, will be restarted',
    });
    expect(manager.takeRestart(uid, 'app', first.containerId)).toBeUndefined();
    expect(events.filter((e) => e.message === 'Liveness probe failed: live: unhealthy')).toHaveLength(3);

    await clock.advance(10_000);
    expect(count('live')).toBe(3);

    const second = await fixture.start('app');
    manager.syncPod(pod, [second], '10.88.0.5');
    await clock.advance(2000);
    expect(count('live')).toBe(6);
    expect(manager.takeRestart(uid, 'app', second.containerId)).toEqual({
      message: 'Container app failed liveness probe, will be restarted',
    });
  });

  it('does not restart a container whose failures are not consecutive', async () => {
    const pod = app({ livenessProbe: exec('live', { failureThreshold: 2 }) });
    const c = await fixture.start('app');
    manager.syncPod(pod, [c], '10.88.0.5');
    await clock.advance(0);
    healthy.add('live');
    await clock.advance(1000);
    healthy.delete('live');
    await clock.advance(1000);
    expect(count('live')).toBe(3);
    expect(manager.takeRestart(uid, 'app', c.containerId)).toBeUndefined();
  });

  it('counts a probe that cannot run (named port missing) as a failure, with the reason in the event', async () => {
    const pod = app({
      livenessProbe: { httpGet: { port: 'http', path: '/' }, periodSeconds: 1, failureThreshold: 2 },
      readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1 },
    });
    const c = await fixture.start('app');
    expect(() => {
      manager.syncPod(pod, [c], '10.88.0.5');
    }).not.toThrow();
    await clock.advance(1000);
    expect(manager.isReady(uid, 'app')).toBe(false);
    expect(manager.takeRestart(uid, 'app', c.containerId)).toEqual({
      message: 'Container app failed liveness probe, will be restarted',
    });
    expect(events).toContainEqual({
      object: 'Pod/web',
      type: 'Warning',
      reason: 'Unhealthy',
      message:
        'Liveness probe errored and resulted in unknown state: port "http" not found in container "app"',
    });
  });
});

describe('startup', () => {
  it('holds back liveness and readiness until it succeeds, then is no longer probed', async () => {
    const pod = app({
      startupProbe: exec('started', { failureThreshold: 30 }),
      livenessProbe: exec('live'),
      readinessProbe: exec('ready'),
    });
    healthy.add('live').add('ready');
    const c = await fixture.start('app');
    manager.syncPod(pod, [c], '10.88.0.5');
    await clock.advance(3000);
    expect(count('started')).toBe(4);
    expect(count('live') + count('ready')).toBe(0);
    expect(manager.isStarted(uid, 'app')).toBe(false);
    expect(manager.isReady(uid, 'app')).toBe(false);

    healthy.add('started');
    await clock.advance(1000);
    expect(manager.isStarted(uid, 'app')).toBe(true);
    expect(manager.isReady(uid, 'app')).toBe(true);
    expect(count('live')).toBe(1);
    await clock.advance(3000);
    expect(count('started')).toBe(5);
    expect(count('ready')).toBe(4);
  });

  it('asks for a restart when it fails failureThreshold times', async () => {
    const pod = app({ startupProbe: exec('started', { failureThreshold: 2 }), livenessProbe: exec('live') });
    const c = await fixture.start('app');
    manager.syncPod(pod, [c], '10.88.0.5');
    await clock.advance(1000);
    expect(manager.takeRestart(uid, 'app', c.containerId)).toEqual({
      message: 'Container app failed startup probe, will be restarted',
    });
    expect(events.map((e) => e.message)).toContain('Startup probe failed: started: unhealthy');
    expect(count('live')).toBe(0);
    expect(manager.isStarted(uid, 'app')).toBe(false);
  });
});

describe('lifecycle', () => {
  it('stops every worker of a removed pod: no further runtime calls', async () => {
    const pod = app({ livenessProbe: exec('live'), readinessProbe: exec('ready') });
    healthy.add('live').add('ready');
    const c = await fixture.start('app');
    manager.syncPod(pod, [c], '10.88.0.5');
    await clock.advance(2000);
    const before = execs.length;
    expect(before).toBe(6);
    manager.removePod(uid);
    await clock.advance(10_000);
    expect(execs).toHaveLength(before);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps one container probing while another container of the pod is not running', async () => {
    const pod = podWith([
      { name: 'app', image: 'busybox:1.35', readinessProbe: exec('ready') },
      { name: 'other', image: 'busybox:1.35', readinessProbe: exec('other-ready') },
    ]);
    healthy.add('ready');
    const c = await fixture.start('app');
    manager.syncPod(pod, [c], '10.88.0.5');
    await clock.advance(0);
    expect(manager.isReady(uid, 'app')).toBe(true);
    expect(manager.isReady(uid, 'other')).toBe(false);
    manager.syncPod(pod, [], '10.88.0.5');
    expect(manager.isReady(uid, 'app')).toBe(false);
  });
});
