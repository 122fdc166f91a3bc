import { describe, expect, it } from '@jest/globals';
import type { corev1 } from '@tugboat/core';

/** What the page's table module exports (it is plain browser JS, typed by JSDoc). */
interface ColumnsModule {
  podStatus: (pod: corev1.Pod) => string;
  views: {
    id: string;
    headers: string[];
    row: (object: unknown, now: number) => string[];
    troubled?: (object: unknown) => boolean;
  }[];
}
interface DomModule {
  age: (timestamp: string | undefined, now: number) => string;
}

// Imported by path at run time: the modules are the files the browser loads, not TypeScript.
const columnsPath = '../static/columns.js';
const domPath = '../static/dom.js';
const { podStatus, views } = (await import(columnsPath)) as ColumnsModule;
const { age } = (await import(domPath)) as DomModule;

const now = Date.parse('2026-11-27T12:00:00Z');
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();
const view = (id: string): ColumnsModule['views'][number] => {
  const found = views.find((v) => v.id === id);
  if (found === undefined) throw new Error(`no view ${id}`);
  return found;
};

function pod(status: corev1.PodStatus, spec: Partial<corev1.PodSpec> = {}): corev1.Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', creationTimestamp: ago(90) },
    spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1', ...spec },
    status,
  };
}

const running = (name: string, ready: boolean, restartCount = 0): corev1.ContainerStatus => ({
  name,
  ready,
  restartCount,
  image: 'busybox',
  imageID: '',
  state: { running: { startedAt: ago(60) } },
});

describe("the dashboard's columns", () => {
  it('prints ages as kubectl does', () => {
    expect(
      [45, 150, 3000, 4 * 3600 + 120, 30 * 3600, 3 * 86400 + 7200, 40 * 86400, 800 * 86400].map((s) =>
        age(ago(s), now),
      ),
    ).toEqual(['45s', '2m30s', '50m', '4h2m', '30h', '3d2h', '40d', '2y']);
    expect(age(undefined, now)).toBe('');
    expect(age('not a time', now)).toBe('');
  });

  it("derives a pod's status as kubectl get pods does", () => {
    expect(podStatus(pod({ phase: 'Running', containerStatuses: [running('a', true)] }))).toBe('Running');
    const crashing: corev1.ContainerStatus = {
      ...running('b', false, 4),
      state: { waiting: { reason: 'CrashLoopBackOff' } },
    };
    expect(podStatus(pod({ phase: 'Running', containerStatuses: [running('a', true), crashing] }))).toBe(
      'CrashLoopBackOff',
    );
    const init = (state: corev1.ContainerState): corev1.Pod =>
      pod(
        { phase: 'Pending', initContainerStatuses: [{ ...running('i', false), state }] },
        { initContainers: [{ name: 'i' }] },
      );
    expect(podStatus(init({ running: {} }))).toBe('Init:0/1');
    expect(podStatus(init({ terminated: { exitCode: 1, reason: 'Error' } }))).toBe('Init:Error');
    expect(podStatus(init({ terminated: { exitCode: 0 } }))).toBe('Pending');
    const deleted = pod({ phase: 'Running' });
    deleted.metadata = { ...deleted.metadata, deletionTimestamp: ago(1) };
    expect(podStatus(deleted)).toBe('Terminating');
    expect(podStatus(pod({ phase: 'Failed', reason: 'Evicted' }))).toBe('Evicted');
  });

  it('fills a pod row (ready x/y, restarts summed) and marks a crashing pod', () => {
    const crashing: corev1.ContainerStatus = {
      ...running('b', false, 3),
      state: { waiting: { reason: 'CrashLoopBackOff' } },
    };
    const p = pod({ phase: 'Running', containerStatuses: [running('a', true, 1), crashing] });
    expect(view('pods').row(p, now)).toEqual(['p', '1/2', 'CrashLoopBackOff', '4', 'n1', '90s']);
    expect(view('pods').troubled?.(p)).toBe(true);
    expect(view('pods').troubled?.(pod({ phase: 'Running' }))).toBe(false);
  });

  it('fills node, deployment and service rows', () => {
    const node: corev1.Node = {
      metadata: {
        name: 'n1',
        creationTimestamp: ago(30),
        labels: { 'node-role.kubernetes.io/control-plane': '' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        nodeInfo: { kubeletVersion: 'v1.32.0' } as corev1.NodeSystemInfo,
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      },
    };
    expect(view('nodes').row(node, now)).toEqual([
      'n1',
      'NotReady,SchedulingDisabled',
      'control-plane',
      '30s',
      'v1.32.0',
      '127.0.0.1',
    ]);
    expect(view('nodes').troubled?.(node)).toBe(true);
    expect(
      view('deployments').row(
        {
          metadata: { name: 'web' },
          spec: { replicas: 3 },
          status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
        },
        now,
      ),
    ).toEqual(['web', '2/3', '3', '2', '']);
    expect(
      view('services').row(
        {
          metadata: { name: 's' },
          spec: {
            type: 'NodePort',
            clusterIP: '127.10.0.2',
            ports: [
              { port: 80, nodePort: 30080 },
              { port: 53, protocol: 'UDP' },
            ],
          },
        },
        now,
      ),
    ).toEqual(['s', 'NodePort', '127.10.0.2', '<none>', '80:30080/TCP,53/UDP', '']);
  });

  it('lists events newest first and marks warnings', () => {
    const events = view('events');
    const event = (name: string, seconds: number, type: string): corev1.Event => ({
      metadata: { name },
      involvedObject: { kind: 'Pod', name: 'p' },
      lastTimestamp: ago(seconds),
      type,
      reason: 'R',
      message: 'm',
    });
    const { order } = events as unknown as { order: (a: corev1.Event, b: corev1.Event) => number };
    const sorted = [event('old', 300, 'Normal'), event('new', 5, 'Warning')].sort(order);
    expect(sorted.map((e) => e.metadata.name)).toEqual(['new', 'old']);
    expect(events.row(sorted[0], now)).toEqual(['5s', 'Warning', 'R', 'pod/p', 'm']);
    expect(events.troubled?.(sorted[0])).toBe(true);
    expect(events.troubled?.(sorted[1])).toBe(false);
  });
});
