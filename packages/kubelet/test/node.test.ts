import { cpus, release } from 'node:os';

import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiError, EventRecorder, realClock, resources, silentLogger, type corev1 } from '@tugboat/core';
import { FakeRuntime } from '@tugboat/runtime-fake';

import { NodeStatusManager, type NodeStatusManagerOptions } from '../src/node/NodeStatusManager.js';
import { startNodeTestApi, until, type FlakyClient, type NodeTestApi } from './nodeHarness.js';

function condition(node: corev1.Node | undefined, type: string): corev1.NodeCondition | undefined {
  return node?.status?.conditions?.find((c) => c.type === type);
}

describe('NodeStatusManager', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function setup(
    name = 'node-a',
    overrides: Partial<NodeStatusManagerOptions> = {},
    existingApi?: NodeTestApi,
  ): { api: NodeTestApi; node: FlakyClient; runtime: FakeRuntime; manager: NodeStatusManager } {
    const api = existingApi ?? startNodeTestApi();
    if (existingApi === undefined) cleanups.push(() => api.stop());
    const node = api.nodeClient(name);
    const runtime = new FakeRuntime({ images: [{ ref: 'busybox:1.35', size: 4096 }, 'local/pause:1'] });
    const manager = new NodeStatusManager({
      client: node.client,
      runtime,
      nodeName: name,
      clock: realClock,
      logger: silentLogger,
      address: '127.0.0.1',
      kubeletPort: 10250,
      leaseRenewIntervalMs: 30,
      nodeStatusUpdateIntervalMs: 30,
      ...overrides,
    });
    cleanups.push(() => manager.stop());
    return { api, node, runtime, manager };
  }

  const getNode = (api: NodeTestApi, name = 'node-a'): Promise<corev1.Node> =>
    api.admin.get(resources.Nodes, name);

  it('registers the node with host capacity, standard labels, addresses, conditions and system info', async () => {
    const { api, manager } = setup();
    await manager.start();
    const node = await getNode(api);
    const capacity = node.status?.capacity ?? {};
    expect(capacity['cpu']).toBe(String(cpus().length));
    expect(capacity['memory']).toMatch(/^\d+Ki$/);
    expect(capacity['pods']).toBe('110');
    expect(capacity['ephemeral-storage']).toMatch(/^\d+Ki$/);
    expect(node.status?.allocatable).toEqual(capacity);
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    expect(node.metadata?.labels).toEqual({
      'kubernetes.io/hostname': 'node-a',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch,
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': arch,
    });
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'node-a' },
    ]);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(10250);
    expect(node.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    expect(condition(node, 'Ready')?.message).toBe('kubelet is posting ready status');
    expect(node.status?.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.32.0',
      containerRuntimeVersion: 'tugboat-fake://0.1.0',
      kernelVersion: release(),
      operatingSystem: 'linux',
      architecture: arch,
    });
    expect(node.status?.nodeInfo?.bootID).toMatch(/^[0-9a-f-]{36}$/);
    expect(node.status?.images).toEqual([
      // Largest first, as upstream lists them.
      expect.objectContaining({ names: ['docker.io/local/pause:1'] }),
      { names: ['docker.io/library/busybox:1.35'], sizeBytes: 4096 },
    ]);
  });

  it('takes capacity overrides and extra labels, as a simulated node does', async () => {
    const { api, manager } = setup('sim-1', {
      capacity: { cpu: '4', memory: '8Gi' },
      labels: { 'topology.kubernetes.io/zone': 'zone-a' },
    });
    await manager.start();
    const node = await getNode(api, 'sim-1');
    expect(node.status?.capacity).toMatchObject({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(node.status?.allocatable).toMatchObject({ cpu: '4', memory: '8Gi' });
    expect(node.metadata?.labels?.['topology.kubernetes.io/zone']).toBe('zone-a');
    expect(node.metadata?.labels?.['kubernetes.io/hostname']).toBe('sim-1');
  });

  it('holds a Lease in kube-node-lease owned by the Node and keeps renewing it', async () => {
    const { api, manager } = setup();
    await manager.start();
    const node = await getNode(api);
    const lease = await until(
      () => api.admin.get(resources.Leases, 'node-a', { namespace: 'kube-node-lease' }),
      'lease created',
    );
    expect(lease.spec).toMatchObject({ holderIdentity: 'node-a', leaseDurationSeconds: 40 });
    expect(lease.metadata?.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: node.metadata?.uid },
    ]);
    const first = lease.spec?.renewTime ?? '';
    await until(async () => {
      const later = await api.admin.get(resources.Leases, 'node-a', { namespace: 'kube-node-lease' });
      return later.spec?.renewTime !== undefined && later.spec.renewTime > first ? later : undefined;
    }, 'renewTime advances');
  });

  it('updates a Node that exists already (a restarted kubelet) instead of failing', async () => {
    const { api, manager } = setup();
    const before = await api.admin.create(resources.Nodes, {
      metadata: { name: 'node-a', labels: { team: 'blue', 'kubernetes.io/os': 'wrong' } },
      status: {
        capacity: { cpu: '1' },
        conditions: [
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'NodeStatusUnknown',
            lastTransitionTime: '2020-01-01T00:00:00Z',
          },
          { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' },
        ],
      },
    });
    await manager.start();
    const node = await getNode(api);
    expect(node.metadata?.uid).toBe(before.metadata?.uid);
    expect(node.metadata?.labels).toMatchObject({ team: 'blue', 'kubernetes.io/os': 'linux' });
    expect(node.status?.capacity?.['cpu']).toBe(String(cpus().length));
    expect(condition(node, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(condition(node, 'Ready')?.lastTransitionTime).not.toBe('2020-01-01T00:00:00Z');
    // A condition someone else owns is kept.
    expect(condition(node, 'NetworkUnavailable')).toMatchObject({ status: 'False', reason: 'RouteCreated' });
  });

  it('reports Ready False naming the runtime error while the runtime is down, and True once it is back', async () => {
    const { api, runtime, manager } = setup();
    await manager.start();
    runtime.node.available = false;
    const notReady = await until(async () => {
      const ready = condition(await getNode(api), 'Ready');
      return ready?.status === 'False' ? ready : undefined;
    }, 'Ready False');
    expect(notReady.reason).toBe('KubeletNotReady');
    expect(notReady.message).toContain('container runtime is down');
    expect(notReady.message).toContain('the node is down');
    runtime.node.available = true;
    const ready = await until(async () => {
      const c = condition(await getNode(api), 'Ready');
      return c?.status === 'True' ? c : undefined;
    }, 'Ready True again');
    expect(ready.reason).toBe('KubeletReady');
  });

  it('records Starting and condition events on the Node, as upstream (NodeReady, NodeNotReady, …)', async () => {
    const api = startNodeTestApi();
    cleanups.push(() => api.stop());
    const node = api.nodeClient('node-a');
    const recorder = new EventRecorder(node.client, silentLogger, { component: 'kubelet', host: 'node-a' });
    const { runtime, manager } = setup('node-a', { client: node.client, recorder }, api);
    await manager.start();
    const reasons = async (): Promise<string[]> =>
      (await api.admin.list(resources.Events, { namespace: 'default' })).items
        .filter((e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === 'node-a')
        .map((e) => e.reason ?? '');
    await until(async () => {
      const r = await reasons();
      return [
        'Starting',
        'NodeHasSufficientMemory',
        'NodeHasNoDiskPressure',
        'NodeHasSufficientPID',
        'NodeReady',
      ].every((x) => r.includes(x))
        ? r
        : undefined;
    }, 'start events');
    runtime.node.available = false;
    await until(
      async () => ((await reasons()).includes('NodeNotReady') ? true : undefined),
      'NodeNotReady event',
    );
    const notReady = (await api.admin.list(resources.Events, { namespace: 'default' })).items.find(
      (e) => e.reason === 'NodeNotReady',
    );
    expect(notReady?.message).toBe('Node node-a status is now: NodeNotReady');
    expect(notReady?.source?.component).toBe('kubelet');
  });

  it('writes the status only when it changed, until a report is due', async () => {
    const { api, node, runtime, manager } = setup('node-a', { nodeStatusReportIntervalMs: 3_600_000 });
    await manager.start();
    const gets = node.calls.get('get') ?? 0;
    await until(() => ((node.calls.get('get') ?? 0) >= gets + 5 ? true : undefined), 'several status syncs');
    expect(node.calls.get('patch') ?? 0).toBe(0);
    runtime.node.images.add({ ref: 'nginx:1.27', size: 8 << 20 });
    const updated = await until(async () => {
      const n = await getNode(api);
      return n.status?.images?.some((i) => i.names?.includes('docker.io/library/nginx:1.27')) ? n : undefined;
    }, 'new image listed');
    expect(updated.status?.images?.[0]?.names).toEqual(['docker.io/library/nginx:1.27']);
  });

  it('writes the status with fresh heartbeats once a report is due, even without a change', async () => {
    const { node, manager } = setup('node-a', { nodeStatusReportIntervalMs: 30 });
    await manager.start();
    await until(() => ((node.calls.get('patch') ?? 0) >= 3 ? true : undefined), 'periodic reports');
  });

  it('updates the status soon after requestUpdate(), without waiting for the next sync', async () => {
    const { api, runtime, manager } = setup('node-a', { nodeStatusUpdateIntervalMs: 3_600_000 });
    await manager.start();
    runtime.node.images.add({ ref: 'nginx:1.27', size: 8 << 20 });
    manager.requestUpdate();
    await until(async () => {
      const n = await getNode(api);
      return n.status?.images?.some((i) => i.names?.includes('docker.io/library/nginx:1.27')) ? n : undefined;
    }, 'new image listed');
  });

  it('retries registration and lease renewal while the apiserver is unreachable', async () => {
    const { api, node, manager } = setup();
    node.down = true;
    let registered = false;
    const started = manager.start().then(() => {
      registered = true;
    });
    await until(() => (node.failed >= 2 ? true : undefined), 'registration attempts');
    expect(registered).toBe(false);
    node.down = false;
    await started;
    expect((await getNode(api)).metadata?.name).toBe('node-a');

    const lease = await until(
      () => api.admin.get(resources.Leases, 'node-a', { namespace: 'kube-node-lease' }),
      'lease created',
    );
    node.down = true;
    const failedBefore = node.failed;
    await until(() => (node.failed >= failedBefore + 3 ? true : undefined), 'failed renewals');
    node.down = false;
    await until(async () => {
      const later = await api.admin.get(resources.Leases, 'node-a', { namespace: 'kube-node-lease' });
      return (later.spec?.renewTime ?? '') > (lease.spec?.renewTime ?? '') ? later : undefined;
    }, 'lease renewed after the outage');
  });

  it('rejects a node name the apiserver refuses with its Invalid error instead of retrying', async () => {
    const { manager } = setup('Not_A_Valid_Name');
    const err = await manager.start().catch((e: unknown) => e);
    expect(ApiError.is(err, 'Invalid')).toBe(true);
    expect((err as ApiError).message).toContain('Not_A_Valid_Name');
  });
});
