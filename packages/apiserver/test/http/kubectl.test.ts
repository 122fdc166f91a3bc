import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { appsv1 } from '@tugboat/core';

import { Kubectl } from './kubectl.js';
import { call, startTestServer, type TestServer } from './serverHarness.js';

const manifest = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ${image}
        env: [{name: MODE, value: "a"}]
`;

const podManifest = `apiVersion: v1
kind: Pod
metadata: {name: p1, labels: {app: p1}}
spec:
  containers: [{name: c, image: busybox:1.35}]
`;

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the real kubectl v1.32 against the HTTP front', () => {
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

  it('apply -f creates, then updates with a strategic merge that keeps containers it does not own', async () => {
    expect(await kubectl.ok(['apply', '-f', '-'], manifest('busybox:1.35'))).toContain(
      'deployment.apps/web created',
    );
    expect(await kubectl.ok(['apply', '-f', '-'], manifest('busybox:1.35'))).toContain(
      'deployment.apps/web unchanged',
    );
    // A container added by someone else: a strategic merge keeps it, a merge patch would drop it.
    await kubectl.ok([
      'patch',
      'deployment',
      'web',
      '--type',
      'strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1"}]}}}}',
    ]);
    expect(await kubectl.ok(['apply', '-f', '-'], manifest('busybox:1.36'))).toContain(
      'deployment.apps/web configured',
    );
    const live = JSON.parse(await kubectl.ok(['get', 'deployment', 'web', '-o', 'json'])) as {
      metadata: { generation: number; annotations: Record<string, string> };
      spec: { template: { spec: { containers: { name: string; image: string; env?: unknown[] }[] } } };
    };
    const containers = live.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`).sort();
    expect(containers).toEqual(['app=busybox:1.36', 'sidecar=busybox:1']);
    expect(live.spec.template.spec.containers.find((c) => c.name === 'app')?.env).toEqual([
      { name: 'MODE', value: 'a' },
    ]);
    expect(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain(
      'busybox:1.36',
    );
  }, 60_000);

  it('apply -f rejects unknown fields (strict validation on the server)', async () => {
    const res = await kubectl.run(
      ['apply', '-f', '-'],
      podManifest.replace('image: busybox:1.35', 'image: busybox:1.35, bogus: 1'),
    );
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('unknown field "spec.containers[0].bogus"');
  }, 60_000);

  it('get prints server-side tables, and -o yaml|json|jsonpath the objects', async () => {
    await kubectl.ok(['apply', '-f', '-'], podManifest);
    const table = await kubectl.ok(['get', 'pods']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(table).toMatch(/p1\s+0\/1\s+Pending\s+0\s+\d+s/);
    expect(await kubectl.ok(['get', 'pods', '-o', 'wide'])).toMatch(
      /IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/,
    );
    expect(await kubectl.ok(['get', 'deploy'])).toMatch(
      /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2/,
    );
    expect(await kubectl.ok(['get', 'pods', '-A'])).toMatch(/NAMESPACE\s+NAME.*\ndefault\s+p1/);
    expect(await kubectl.ok(['get', 'pod', 'p1', '-o', 'yaml'])).toMatch(/kind: Pod\n[\s\S]*name: p1/);
    const asJson = JSON.parse(await kubectl.ok(['get', 'pod', 'p1', '-o', 'json'])) as {
      metadata: { name: string };
    };
    expect(asJson.metadata.name).toBe('p1');
    expect(await kubectl.ok(['get', 'pod', 'p1', '-o', 'jsonpath={.spec.containers[0].image}'])).toBe(
      'busybox:1.35',
    );
    expect(await kubectl.ok(['get', 'ns'])).toMatch(/default\s+Active/);
  }, 60_000);

  it('get -w prints changes as they happen', async () => {
    const child = kubectl.start(['get', 'pods', '-w']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => /p1\s/.test(out), 'the initial listing');
      await kubectl.ok(['label', 'pod', 'p1', 'watched=yes']);
      await kubectl.ok(['apply', '-f', '-'], podManifest.replace('name: p1', 'name: p2'));
      await until(() => out.includes('p2'), 'the new pod in the watch output');
      expect(out.split('\n').filter((l) => l.startsWith('p1')).length).toBeGreaterThanOrEqual(2);
    } finally {
      child.kill();
    }
  }, 60_000);

  it('describe shows the object and its events section', async () => {
    const out = await kubectl.ok(['describe', 'pod', 'p1']);
    expect(out).toMatch(/Name:\s+p1/);
    expect(out).toMatch(/Namespace:\s+default/);
    expect(out).toContain('Events:');
    expect(await kubectl.ok(['describe', 'deployment', 'web'])).toMatch(/Replicas:\s+2 desired/);
  }, 60_000);

  it('label, annotate and patch (merge, json, strategic)', async () => {
    await kubectl.ok(['label', 'pod', 'p1', 'tier=backend']);
    await kubectl.ok(['annotate', 'pod', 'p1', 'note=hello']);
    await kubectl.ok([
      'patch',
      'pod',
      'p1',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"merged":"1"}}}',
    ]);
    await kubectl.ok([
      'patch',
      'pod',
      'p1',
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/metadata/labels/jsonpatched","value":"1"}]',
    ]);
    await kubectl.ok([
      'patch',
      'pod',
      'p1',
      '--type',
      'strategic',
      '-p',
      '{"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}',
    ]);
    const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'p1', '-o', 'json'])) as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: { containers: { image: string }[] };
    };
    expect(pod.metadata.labels).toMatchObject({ tier: 'backend', merged: '1', jsonpatched: '1' });
    expect(pod.metadata.annotations['note']).toBe('hello');
    expect(pod.spec.containers[0]?.image).toBe('busybox:1.36');
    expect(await kubectl.ok(['get', 'pods', '-l', 'tier=backend', '-o', 'name'])).toBe('pod/p1\n');
  }, 60_000);

  it('create namespace, scale, api-resources and explain', async () => {
    expect(await kubectl.ok(['create', 'namespace', 'team-a'])).toContain('namespace/team-a created');
    expect(await kubectl.ok(['get', 'namespace', 'team-a'])).toMatch(/team-a\s+Active/);
    expect(await kubectl.ok(['scale', 'deployment', 'web', '--replicas=5'])).toContain('scaled');
    expect(await kubectl.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
    const resources = await kubectl.ok(['api-resources']);
    expect(resources).toMatch(/pods\s+po\s+v1\s+true\s+Pod/);
    expect(resources).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    const explain = await kubectl.ok(['explain', 'pod.spec.containers']);
    expect(explain).toMatch(/FIELD:\s+containers <\[\]Container>/);
    expect(explain).toContain('List of containers belonging to the pod');
    expect(explain).toMatch(/image\s+<string>/);
  }, 60_000);

  it('create deployment sends protobuf and gets the Deployment it asked for', async () => {
    expect(
      await kubectl.ok([
        'create',
        'deployment',
        'made',
        '--image=busybox:1.35',
        '--replicas=2',
        '--port=8080',
        '--',
        'sh',
        '-c',
        'sleep 3600',
      ]),
    ).toContain('deployment.apps/made created');
    const made = JSON.parse(
      await kubectl.ok(['get', 'deployment', 'made', '-o', 'json']),
    ) as appsv1.Deployment;
    expect(made.spec?.replicas).toBe(2);
    expect(made.spec?.selector.matchLabels).toEqual({ app: 'made' });
    expect(made.spec?.template.metadata?.labels).toEqual({ app: 'made' });
    expect(made.spec?.template.spec?.containers).toMatchObject([
      {
        name: 'busybox',
        image: 'busybox:1.35',
        command: ['sh', '-c', 'sleep 3600'],
        ports: [{ containerPort: 8080 }],
      },
    ]);
  }, 60_000);

  it('delete with each cascade policy reaches the API as that propagationPolicy', async () => {
    for (const cascade of ['background', 'foreground', 'orphan']) {
      await kubectl.ok(['create', 'configmap', `cm-${cascade}`]);
      await kubectl.ok(['delete', 'configmap', `cm-${cascade}`, `--cascade=${cascade}`, '--wait=false']);
    }
    expect((await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/cm-background')).status).toBe(
      404,
    );
    const fg = (await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/cm-foreground')).json()[
      'metadata'
    ] as { finalizers: string[] };
    expect(fg.finalizers).toContain('foregroundDeletion');
    const orphan = (await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/cm-orphan')).json()[
      'metadata'
    ] as { finalizers: string[] };
    expect(orphan.finalizers).toContain('orphan');
    expect(await kubectl.ok(['delete', 'pod', 'p2'])).toContain('pod "p2" deleted');
    const gone = await kubectl.run(['get', 'pod', 'p2']);
    expect(gone.stderr).toContain('Error from server (NotFound): pods "p2" not found');
  }, 60_000);
});
