import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, type corev1, type ResourceDefinition } from '@tugboat/core';

import { humanDuration, toTable } from '../../src/index.js';
import { call, podBody, startTestServer, type TestServer } from './serverHarness.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();
const table = (
  def: ResourceDefinition,
  objs: unknown[],
): { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] } =>
  toTable(def, objs as never[], { apiVersion: 'meta.k8s.io/v1', includeObject: 'Metadata', now }) as never;
const cells = (def: ResourceDefinition, obj: unknown): unknown[] => table(def, [obj]).rows[0]!.cells;

function pod(
  status: corev1.PodStatus,
  spec: Partial<corev1.PodSpec> = {},
  meta: Record<string, unknown> = {},
): corev1.Pod {
  return {
    metadata: { name: 'p', creationTimestamp: ago(300), ...meta },
    spec: { containers: [{ name: 'a', image: 'x' }], ...spec },
    status,
  };
}

describe('Table printing', () => {
  it('formats ages as kubectl does', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(119_000)).toBe('119s');
    expect(humanDuration(200_000)).toBe('3m20s');
    expect(humanDuration(600_000)).toBe('10m');
    expect(humanDuration(4 * 3600_000)).toBe('4h');
    expect(humanDuration(4 * 3600_000 + 5 * 60_000)).toBe('4h5m');
    expect(humanDuration(2 * 86400_000)).toBe('2d');
    expect(humanDuration(3 * 86400_000 + 3 * 3600_000)).toBe('3d3h');
    expect(humanDuration(400 * 86400_000)).toBe('400d');
    expect(humanDuration(3 * 365 * 86400_000 + 45 * 86400_000)).toBe('3y45d');
  });

  it('prints pods with READY, STATUS, RESTARTS and AGE, and the wide columns', () => {
    const running = pod(
      {
        phase: 'Running',
        podIP: '10.0.0.5',
        podIPs: [{ ip: '10.0.0.5' }],
        containerStatuses: [
          {
            name: 'a',
            ready: true,
            restartCount: 2,
            image: 'x',
            imageID: '',
            state: { running: {} },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(60) } },
          },
        ],
      },
      { nodeName: 'node-a' },
    );
    const t = table(resources.Pods, [running]);
    expect(t.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name)).toEqual([
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(t.rows[0]!.cells).toEqual([
      'p',
      '1/1',
      'Running',
      '2 (60s ago)',
      '5m',
      '10.0.0.5',
      'node-a',
      '<none>',
      '<none>',
    ]);
  });

  it('computes pod STATUS like kubectl: waiting reasons, init progress, Completed, Terminating', () => {
    const Pods = resources.Pods as ResourceDefinition;
    const waiting = pod({
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'a',
          ready: false,
          restartCount: 5,
          image: 'x',
          imageID: '',
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    });
    expect(cells(Pods, waiting)[2]).toBe('CrashLoopBackOff');
    const init = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i', ready: false, restartCount: 0, image: 'x', imageID: '', state: { running: {} } },
        ],
      },
      { initContainers: [{ name: 'i', image: 'x' }] },
    );
    expect(cells(Pods, init)[2]).toBe('Init:0/1');
    const initFailed = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'i',
            ready: false,
            restartCount: 0,
            image: 'x',
            imageID: '',
            state: { terminated: { exitCode: 2, reason: 'Error' } },
          },
        ],
      },
      { initContainers: [{ name: 'i', image: 'x' }] },
    );
    expect(cells(Pods, initFailed)[2]).toBe('Init:Error');
    const done = pod({
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'a',
          ready: false,
          restartCount: 0,
          image: 'x',
          imageID: '',
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    });
    expect(cells(Pods, done)[2]).toBe('Completed');
    const terminating = pod({ phase: 'Running' }, {}, { deletionTimestamp: ago(1) });
    expect(cells(Pods, terminating)[2]).toBe('Terminating');
    const evicted = pod({ phase: 'Failed', reason: 'Evicted' });
    expect(cells(Pods, evicted)[2]).toBe('Evicted');
  });

  it('prints nodes, deployments, replicasets, services, namespaces and events with their columns', () => {
    const node: corev1.Node = {
      metadata: {
        name: 'n1',
        creationTimestamp: ago(7200),
        labels: { 'node-role.kubernetes.io/control-plane': '' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        nodeInfo: { kubeletVersion: 'v1.32.0' } as corev1.NodeSystemInfo,
      },
    };
    expect(cells(resources.Nodes as ResourceDefinition, node).slice(0, 5)).toEqual([
      'n1',
      'NotReady,SchedulingDisabled',
      'control-plane',
      '120m',
      'v1.32.0',
    ]);
    const deploy = {
      metadata: { name: 'web', creationTimestamp: ago(30) },
      spec: { replicas: 3 },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cells(resources.Deployments as ResourceDefinition, deploy).slice(0, 5)).toEqual([
      'web',
      '2/3',
      3,
      2,
      '30s',
    ]);
    const rs = {
      metadata: { name: 'web-1', creationTimestamp: ago(30) },
      spec: { replicas: 3 },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(cells(resources.ReplicaSets as ResourceDefinition, rs).slice(0, 5)).toEqual([
      'web-1',
      3,
      3,
      1,
      '30s',
    ]);
    const svc = {
      metadata: { name: 's', creationTimestamp: ago(30) },
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.0.10',
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
      },
    };
    expect(cells(resources.Services as ResourceDefinition, svc).slice(0, 6)).toEqual([
      's',
      'NodePort',
      '10.96.0.10',
      '<none>',
      '80:30080/TCP,53/UDP',
      '30s',
    ]);
    const lb = {
      metadata: { name: 'lb' },
      spec: { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [] },
    };
    expect(cells(resources.Services as ResourceDefinition, lb)[3]).toBe('<pending>');
    expect(
      cells(resources.Namespaces as ResourceDefinition, {
        metadata: { name: 'ns', creationTimestamp: ago(86400 * 3) },
        status: { phase: 'Terminating' },
      }),
    ).toEqual(['ns', 'Terminating', '3d']);
    const ev = {
      metadata: { name: 'e1' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting',
      lastTimestamp: ago(10),
      involvedObject: { kind: 'Pod', name: 'web-1' },
    };
    const evTable = table(resources.Events, [ev]);
    expect(evTable.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message',
    ]);
    expect(evTable.rows[0]!.cells.slice(0, 4)).toEqual(['10s', 'Warning', 'BackOff', 'pod/web-1']);
  });

  it('prints HorizontalPodAutoscalers as kubectl get hpa does', () => {
    const hpa = {
      metadata: { name: 'web', creationTimestamp: ago(120) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
          },
        ],
      },
      status: {
        currentReplicas: 3,
        desiredReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } },
        ],
      },
    };
    expect(table(resources.HorizontalPodAutoscalers, [hpa]).columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Reference',
      'Targets',
      'MinPods',
      'MaxPods',
      'Replicas',
      'Age',
    ]);
    expect(cells(resources.HorizontalPodAutoscalers, hpa)).toEqual([
      'web',
      'Deployment/web',
      'cpu: 12%/50%, memory: <unknown>/100Mi',
      '<unset>',
      10,
      3,
      '2m',
    ]);
  });

  it('prints custom kinds by their printer columns and anything else as NAME AGE', () => {
    const def = {
      ...resources.ConfigMaps,
      group: 'example.com',
      kind: 'Widget',
      plural: 'widgets',
      printerColumns: [
        { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    } as ResourceDefinition;
    const t = table(def, [{ metadata: { name: 'w', creationTimestamp: ago(5) }, spec: { size: 3 } }]);
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Size', 'Age']);
    expect(t.rows[0]!.cells).toEqual(['w', 3, '5s']);
    expect(
      table(resources.ConfigMaps as ResourceDefinition, [
        { metadata: { name: 'c', creationTimestamp: ago(5) } },
      ]).rows[0]!.cells,
    ).toEqual(['c', '5s']);
  });

  describe('over HTTP', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer();
      await call(t.url, 'POST', '/api/v1/namespaces/default/pods', podBody('web-1'));
    });
    afterAll(() => t.close());

    it('answers the Table Accept header with a Table carrying resourceVersion and row metadata', async () => {
      const accept =
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
      const res = (await call(t.url, 'GET', '/api/v1/pods', undefined, { Accept: accept })).json();
      expect(res).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
      expect((res['metadata'] as { resourceVersion: string }).resourceVersion).toMatch(/^\d+$/);
      const row = (
        res['rows'] as { cells: unknown[]; object: { kind: string; metadata: { namespace: string } } }[]
      )[0]!;
      expect(row.cells.slice(0, 3)).toEqual(['web-1', '0/1', 'Pending']);
      expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { namespace: 'default' } });
      const full = (
        await call(t.url, 'GET', '/api/v1/pods?includeObject=Object', undefined, { Accept: accept })
      ).json();
      expect((full['rows'] as { object: { kind: string } }[])[0]!.object.kind).toBe('Pod');
      const none = (
        await call(t.url, 'GET', '/api/v1/pods?includeObject=None', undefined, { Accept: accept })
      ).json();
      expect((none['rows'] as { object?: unknown }[])[0]!.object).toBeUndefined();
      const beta = (
        await call(t.url, 'GET', '/api/v1/namespaces/default/pods/web-1', undefined, {
          Accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
        })
      ).json();
      expect(beta).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1beta1' });
      const plain = (await call(t.url, 'GET', '/api/v1/pods')).json();
      expect(plain['kind']).toBe('PodList');
    });
  });
});
