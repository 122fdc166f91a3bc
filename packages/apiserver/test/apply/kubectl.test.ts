import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { Kubectl } from '../http/kubectl.js';
import { startTestServer, type TestServer } from '../http/serverHarness.js';

const deployment = (replicas: number, image: string, extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ${image}
${extra}`;

interface Live {
  metadata: {
    annotations?: Record<string, string>;
    managedFields?: { manager: string; operation: string; fieldsV1: Record<string, unknown> }[];
  };
  spec: { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } };
}

describe('kubectl apply --server-side (real kubectl v1.32)', () => {
  let t: TestServer;
  let kubectl: Kubectl;
  beforeAll(async () => {
    t = await startTestServer();
    kubectl = await Kubectl.forServer(t.url);
  }, 60_000);
  afterAll(async () => {
    await kubectl.cleanup();
    await t.close();
  });

  const live = async (name = 'web'): Promise<Live> =>
    JSON.parse(await kubectl.ok(['get', 'deployment', name, '-o', 'json', '--show-managed-fields'])) as Live;

  it('creates, then updates, recording the kubectl Apply manager', async () => {
    expect(await kubectl.ok(['apply', '--server-side', '-f', '-'], deployment(2, 'busybox:1.35'))).toContain(
      'deployment.apps/web serverside-applied',
    );
    expect(await kubectl.ok(['apply', '--server-side', '-f', '-'], deployment(3, 'busybox:1.36'))).toContain(
      'serverside-applied',
    );
    const obj = await live();
    expect(obj.spec.replicas).toBe(3);
    expect(obj.spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'app', image: 'busybox:1.36' }),
    ]);
    const apply = obj.metadata.managedFields?.find((m) => m.manager === 'kubectl');
    expect(apply?.operation).toBe('Apply');
    expect(apply?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
  });

  it('reports a conflict with another manager and exits non-zero; --force-conflicts takes the field', async () => {
    await kubectl.ok(['scale', 'deployment', 'web', '--replicas', '5']);
    const res = await kubectl.run(['apply', '--server-side', '-f', '-'], deployment(3, 'busybox:1.36'));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('Apply failed with 1 conflict');
    expect(res.stderr).toContain('.spec.replicas');
    expect((await live()).spec.replicas).toBe(5);

    await kubectl.ok(
      ['apply', '--server-side', '--force-conflicts', '-f', '-'],
      deployment(3, 'busybox:1.36'),
    );
    expect((await live()).spec.replicas).toBe(3);
  });

  it('--dry-run=server shows the result and stores nothing', async () => {
    const out = await kubectl.ok(
      ['apply', '--server-side', '--dry-run=server', '-o', 'json', '-f', '-'],
      deployment(8, 'busybox:1.36'),
    );
    expect((JSON.parse(out) as Live).spec.replicas).toBe(8);
    expect((await live()).spec.replicas).toBe(3);
  });

  it('--subresource=status applies only the status, as its own manager', async () => {
    const status = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 42}
status: {observedGeneration: 1, replicas: 2}
`;
    await kubectl.ok(
      ['apply', '--server-side', '--subresource=status', '--field-manager=ctrl', '-f', '-'],
      status,
    );
    const obj = (await live()) as Live & { status: { replicas: number } };
    expect(obj.status.replicas).toBe(2);
    expect(obj.spec.replicas).toBe(3);
    expect(obj.metadata.managedFields?.find((m) => m.manager === 'ctrl')).toMatchObject({
      operation: 'Apply',
      subresource: 'status',
    });
  });

  it('takes over an object created by client-side kubectl apply', async () => {
    const manifest = deployment(1, 'busybox:1.35').replace(/name: web$/m, 'name: csa');
    expect(await kubectl.ok(['apply', '-f', '-'], manifest)).toContain('deployment.apps/csa created');
    const before = await live('csa');
    expect(before.metadata.managedFields?.map((m) => m.manager)).toContain('kubectl-client-side-apply');

    const next = manifest.replace('replicas: 1', 'replicas: 2');
    expect(await kubectl.ok(['apply', '--server-side', '-f', '-'], next)).toContain('serverside-applied');
    const after = await live('csa');
    expect(after.spec.replicas).toBe(2);
    expect(after.metadata.managedFields?.find((m) => m.manager === 'kubectl')?.operation).toBe('Apply');
    // kubectl migrated client-side apply's ownership into its Apply entry.
    expect(after.metadata.managedFields?.map((m) => m.manager)).not.toContain('kubectl-client-side-apply');
    // Client-side apply still works afterwards: the annotation follows the server-side config.
    expect(await kubectl.ok(['apply', '-f', '-'], manifest)).toContain('configured');
    expect((await live('csa')).spec.replicas).toBe(1);
  });
});
