import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { Kubectl } from './kubectl.js';
import { startTestServer, type TestServer } from './serverHarness.js';

/**
 * The `kubectl create <generator>` commands whose typed clients send protobuf bodies: each must
 * create the object it printed with `--dry-run=client`, field for field.
 */
describe('kubectl create generators that send protobuf (real kubectl v1.32)', () => {
  let t: TestServer;
  let kubectl: Kubectl;

  beforeAll(async () => {
    t = await startTestServer();
    kubectl = await Kubectl.forServer(t.url);
  });

  afterAll(async () => {
    await kubectl.cleanup();
    await t.close();
  });

  /** Runs `kubectl create …`, then returns what kubectl meant to send and what the server stored. */
  async function create(
    args: readonly string[],
    get: readonly string[],
  ): Promise<{ sent: Record<string, unknown>; stored: Record<string, unknown> }> {
    const sent = JSON.parse(await kubectl.ok([...args, '--dry-run=client', '-o', 'json'])) as Record<
      string,
      unknown
    >;
    await kubectl.ok(args);
    const stored = JSON.parse(await kubectl.ok(['get', ...get, '-o', 'json'])) as Record<string, unknown>;
    return { sent, stored };
  }

  it('create service clusterip|nodeport|loadbalancer|externalname', async () => {
    const clusterIp = await create(['create', 'service', 'clusterip', 'x', '--tcp=80:8080'], ['svc', 'x']);
    expect(clusterIp.stored).toMatchObject({
      metadata: { name: 'x', labels: { app: 'x' } },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'x' },
        ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    });
    expect(clusterIp.stored['spec']).toMatchObject(clusterIp.sent['spec'] as Record<string, unknown>);
    const named = await create(
      ['create', 'service', 'nodeport', 'np', '--tcp=443:https', '--node-port=30080'],
      ['svc', 'np'],
    );
    expect(named.stored['spec']).toMatchObject({
      type: 'NodePort',
      ports: [{ port: 443, targetPort: 'https', nodePort: 30080 }],
    });
    const lb = await create(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080'], ['svc', 'lb']);
    expect(lb.stored['spec']).toMatchObject({
      type: 'LoadBalancer',
      ports: [{ port: 80, targetPort: 8080 }],
    });
    const headless = await create(
      ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
      ['svc', 'headless'],
    );
    expect(headless.stored['spec']).toMatchObject({ clusterIP: 'None' });
    const external = await create(
      ['create', 'service', 'externalname', 'ext', '--external-name=db.example.com'],
      ['svc', 'ext'],
    );
    expect(external.stored['spec']).toMatchObject({ type: 'ExternalName', externalName: 'db.example.com' });
  });

  it('create role|clusterrole|rolebinding|clusterrolebinding', async () => {
    const role = await create(
      [
        'create',
        'role',
        'reader',
        '--verb=get,list',
        '--resource=pods,deployments.apps',
        '--resource-name=a',
      ],
      ['role', 'reader'],
    );
    expect(role.stored['rules']).toEqual(role.sent['rules']);
    expect(role.stored['rules']).toEqual([
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['a'] },
    ]);
    const clusterRole = await create(
      ['create', 'clusterrole', 'metrics', '--verb=get', '--non-resource-url=/metrics'],
      ['clusterrole', 'metrics'],
    );
    expect(clusterRole.stored['rules']).toEqual([{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
    const aggregate = await create(
      ['create', 'clusterrole', 'agg', '--aggregation-rule=team=a'],
      ['clusterrole', 'agg'],
    );
    expect(aggregate.stored['aggregationRule']).toEqual({
      clusterRoleSelectors: [{ matchLabels: { team: 'a' } }],
    });
    const binding = await create(
      [
        'create',
        'rolebinding',
        'rb',
        '--role=reader',
        '--user=bob',
        '--group=devs',
        '--serviceaccount=default:sa',
      ],
      ['rolebinding', 'rb'],
    );
    expect(binding.stored['roleRef']).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'reader',
    });
    expect(binding.stored['subjects']).toMatchObject(binding.sent['subjects'] as object[]);
    expect(binding.stored['subjects']).toHaveLength(3);
    const clusterBinding = await create(
      ['create', 'clusterrolebinding', 'crb', '--clusterrole=metrics', '--user=bob'],
      ['clusterrolebinding', 'crb'],
    );
    expect(clusterBinding.stored).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'metrics' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }],
    });
  });

  it('create priorityclass (value 0 kept) and poddisruptionbudget (int and percent)', async () => {
    const zero = await create(
      ['create', 'priorityclass', 'zero', '--value=0', '--description=nothing special'],
      ['priorityclass', 'zero'],
    );
    expect(zero.stored).toMatchObject({
      value: 0,
      description: 'nothing special',
      preemptionPolicy: 'PreemptLowerPriority',
    });
    const high = await create(
      ['create', 'priorityclass', 'high', '--value=1000', '--preemption-policy=Never'],
      ['priorityclass', 'high'],
    );
    expect(high.stored).toMatchObject({ value: 1000, preemptionPolicy: 'Never' });
    const min = await create(
      ['create', 'poddisruptionbudget', 'min', '--selector=app=web', '--min-available=0'],
      ['pdb', 'min'],
    );
    expect(min.stored['spec']).toEqual({ minAvailable: 0, selector: { matchLabels: { app: 'web' } } });
    const pct = await create(
      ['create', 'pdb', 'pct', '--selector=app=web', '--max-unavailable=25%'],
      ['pdb', 'pct'],
    );
    expect(pct.stored['spec']).toEqual({ maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } } });
  });
});
