import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type corev1 } from '@tugboat/core';

import { containerEnv, resolveContainerEnv, type EnvContext } from '../src/env/containerEnv.js';
import { startDataHarness, type DataHarness } from './dataHarness.js';

let h: DataHarness;
beforeEach(async () => {
  h = await startDataHarness();
});
afterEach(async () => {
  await h.stop();
});

function podWith(
  container: Partial<corev1.Container>,
  spec: Partial<corev1.PodSpec> = {},
  namespace = 'default',
): corev1.Pod {
  return {
    metadata: {
      name: 'web-0',
      namespace,
      uid: '7f6e5d4c-0000-4000-8000-000000000001',
      labels: { app: 'web' },
      annotations: { 'example.com/owner': 'team-a' },
    },
    spec: {
      nodeName: 'node-a',
      serviceAccountName: 'robot',
      enableServiceLinks: false,
      containers: [{ name: 'c', image: 'busybox:1', ...container }],
      ...spec,
    },
  };
}

async function context(extra: Partial<EnvContext> = {}): Promise<EnvContext> {
  return {
    sources: await h.sources(),
    nodeName: 'node-a',
    hostIp: '192.0.2.10',
    podIp: '10.88.0.5',
    ...extra,
  };
}

async function envOf(p: corev1.Pod, extra: Partial<EnvContext> = {}): Promise<Record<string, string>> {
  const env = await containerEnv(p, p.spec?.containers[0] as corev1.Container, await context(extra));
  return Object.fromEntries(env.map((e) => [e.key, e.value]));
}

async function envError(p: corev1.Pod): Promise<ApiError> {
  const err = await containerEnv(p, p.spec?.containers[0] as corev1.Container, await context()).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ApiError.is(err, 'Invalid')) throw new Error(`expected an Invalid ApiError, got ${String(err)}`);
  return err;
}

describe('containerEnv', () => {
  it('expands $(VAR) references to earlier variables as upstream', async () => {
    const env = await envOf(
      podWith({
        env: [
          { name: 'A', value: 'foo' },
          { name: 'B', value: '$(A)-bar' },
          { name: 'ESCAPED', value: '$$(A) costs $$5' },
          { name: 'UNKNOWN', value: '$(NOPE) and $(LATER)' },
          { name: 'LATER', value: 'late' },
          { name: 'OPEN', value: 'x$(A' },
          { name: 'LONE', value: 'a$b$' },
          { name: 'EMPTY', value: '' },
        ],
      }),
    );
    expect(env).toEqual({
      A: 'foo',
      B: 'foo-bar',
      ESCAPED: '$(A) costs $5',
      UNKNOWN: '$(NOPE) and $(LATER)',
      LATER: 'late',
      OPEN: 'x$(A',
      LONE: 'a$b$',
      EMPTY: '',
    });
  });

  it('reads ConfigMap and Secret keys, skipping optional absent ones', async () => {
    await h.api.create(resources.ConfigMaps, {
      metadata: { name: 'cfg', namespace: 'default' },
      data: { mode: 'prod' },
    });
    await h.api.create(resources.Secrets, {
      metadata: { name: 'creds', namespace: 'default' },
      stringData: { password: 'p@ss' },
    });
    const env = await envOf(
      podWith({
        env: [
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'OPT_KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'absent', optional: true } } },
          { name: 'OPT_CM', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k', optional: true } } },
          { name: 'OPT_SECRET', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } },
          { name: 'USES', value: '$(MODE):$(PASSWORD)' },
        ],
      }),
    );
    expect(env).toEqual({ MODE: 'prod', PASSWORD: 'p@ss', USES: 'prod:p@ss' });
  });

  it('fails with the CreateContainerConfigError messages Kubernetes shows', async () => {
    await h.api.create(resources.ConfigMaps, {
      metadata: { name: 'cfg', namespace: 'default' },
      data: { a: '1' },
    });
    await h.api.create(resources.Secrets, {
      metadata: { name: 'creds', namespace: 'default' },
      stringData: { a: '1' },
    });
    const cases: [corev1.EnvVarSource | corev1.EnvFromSource, string][] = [
      [{ configMapKeyRef: { name: 'missing', key: 'k' } }, 'configmap "missing" not found'],
      [{ configMapKeyRef: { name: 'cfg', key: 'k' } }, "couldn't find key k in ConfigMap default/cfg"],
      [{ secretKeyRef: { name: 'missing', key: 'k' } }, 'secret "missing" not found'],
      [{ secretKeyRef: { name: 'creds', key: 'k' } }, "couldn't find key k in Secret default/creds"],
      [{ fieldRef: { fieldPath: 'spec.nope' } }, 'field label not supported: spec.nope'],
      [{ fieldRef: { fieldPath: 'status.phase' } }, 'unsupported fieldPath: status.phase'],
      [{ resourceFieldRef: { resource: 'limits.gpu' } }, 'unsupported container resource : limits.gpu'],
    ];
    for (const [valueFrom, message] of cases) {
      const err = await envError(
        podWith({ env: [{ name: 'X', valueFrom: valueFrom as corev1.EnvVarSource }] }),
      );
      expect(err.message).toBe(message);
    }
    expect((await envError(podWith({ envFrom: [{ configMapRef: { name: 'nope' } }] }))).message).toBe(
      'configmap "nope" not found',
    );
    expect((await envError(podWith({ envFrom: [{ secretRef: { name: 'nope' } }] }))).message).toBe(
      'secret "nope" not found',
    );
  });

  it('resolves downward API fields', async () => {
    const fields = [
      'metadata.name',
      'metadata.namespace',
      'metadata.uid',
      "metadata.labels['app']",
      "metadata.annotations['example.com/owner']",
      'metadata.labels',
      'spec.nodeName',
      'spec.serviceAccountName',
      'status.hostIP',
      'status.hostIPs',
      'status.podIP',
      'status.podIPs',
    ];
    const p = podWith({
      env: fields.map((f, i) => ({
        name: `F${i}`,
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: f } },
      })),
    });
    const env = await envOf(p, { hostIps: ['192.0.2.10', '2001:db8::10'], podIps: ['10.88.0.5', 'fd00::5'] });
    expect(fields.map((_, i) => env[`F${i}`])).toEqual([
      'web-0',
      'default',
      '7f6e5d4c-0000-4000-8000-000000000001',
      'web',
      'team-a',
      'app="web"',
      'node-a',
      'robot',
      '192.0.2.10',
      '192.0.2.10,2001:db8::10',
      '10.88.0.5',
      '10.88.0.5,fd00::5',
    ]);
    const noIp = await envOf(
      podWith({ env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }),
      { podIp: undefined },
    );
    expect(noIp).toEqual({ IP: '' });
  });

  it('resolves resource fields with divisors, rounding up, and node allocatable for unset limits', async () => {
    const p = podWith({
      resources: { requests: { cpu: '250m', memory: '1536Ki' }, limits: { cpu: '1500m' } },
      env: [
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_LIMIT_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        {
          name: 'MEM_REQ_MI',
          valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } },
        },
        { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        { name: 'EPH_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.ephemeral-storage' } } },
      ],
    });
    const env = await envOf(p, { nodeAllocatable: { cpu: '2', memory: '1Gi', 'ephemeral-storage': '10Gi' } });
    expect(env).toEqual({
      CPU_LIMIT: '2',
      CPU_LIMIT_M: '1500',
      CPU_REQ: '250',
      MEM_REQ_MI: '2',
      MEM_LIMIT: String(1024 ** 3),
      EPH_REQ: '0',
    });
  });

  it('takes envFrom with prefixes, skips invalid keys with upstream warning, and lets env override', async () => {
    await h.api.create(resources.ConfigMaps, {
      metadata: { name: 'cfg', namespace: 'default' },
      data: { LEVEL: 'debug', '9lives': 'x', '1ST': 'y', SHARED: 'from-cm' },
    });
    await h.api.create(resources.Secrets, {
      metadata: { name: 'sec', namespace: 'default' },
      stringData: { TOKEN: 't0k' },
    });
    const p = podWith({
      envFrom: [
        { configMapRef: { name: 'cfg' } },
        { prefix: 'S_', secretRef: { name: 'sec' } },
        { configMapRef: { name: 'absent', optional: true } },
      ],
      env: [{ name: 'SHARED', value: 'from-env' }],
    });
    const resolved = await resolveContainerEnv(p, p.spec?.containers[0] as corev1.Container, await context());
    expect(Object.fromEntries(resolved.env.map((e) => [e.key, e.value]))).toEqual({
      LEVEL: 'debug',
      SHARED: 'from-env',
      S_TOKEN: 't0k',
    });
    expect(resolved.warnings).toEqual([
      {
        reason: 'InvalidEnvironmentVariableNames',
        message:
          'Keys [1ST, 9lives] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names.',
      },
    ]);
  });

  describe('service variables', () => {
    beforeEach(async () => {
      await h.api.create(resources.Namespaces, { metadata: { name: 'team' } });
      await h.api.create(resources.Services, {
        metadata: { name: 'kubernetes', namespace: 'default' },
        spec: {
          clusterIP: '127.10.0.1',
          ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }],
        },
      });
      await h.api.create(resources.Services, {
        metadata: { name: 'other', namespace: 'default' },
        spec: { clusterIP: '127.10.0.9', ports: [{ port: 1 }] },
      });
      await h.api.create(resources.Services, {
        metadata: { name: 'my-web', namespace: 'team' },
        spec: {
          clusterIP: '127.10.0.20',
          ports: [
            { name: 'http', port: 80, targetPort: 8080 },
            { name: 'dns-udp', port: 53, protocol: 'UDP' },
          ],
        },
      });
      await h.api.create(resources.Services, {
        metadata: { name: 'db', namespace: 'team' },
        spec: { clusterIP: 'None', ports: [{ port: 5432 }] },
      });
    });

    const kubernetesVars = {
      KUBERNETES_SERVICE_HOST: '127.10.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://127.10.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://127.10.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '127.10.0.1',
    };

    it('gives a pod the variables of its namespace Services and default/kubernetes, named as Kubernetes does', async () => {
      const p = podWith(
        { env: [{ name: 'URL', value: 'http://$(MY_WEB_SERVICE_HOST):$(MY_WEB_SERVICE_PORT)' }] },
        { enableServiceLinks: true },
        'team',
      );
      const env = await containerEnv(p, p.spec?.containers[0] as corev1.Container, await context());
      expect(Object.fromEntries(env.map((e) => [e.key, e.value]))).toEqual({
        ...kubernetesVars,
        MY_WEB_SERVICE_HOST: '127.10.0.20',
        MY_WEB_SERVICE_PORT: '80',
        MY_WEB_SERVICE_PORT_HTTP: '80',
        MY_WEB_SERVICE_PORT_DNS_UDP: '53',
        MY_WEB_PORT: 'tcp://127.10.0.20:80',
        MY_WEB_PORT_80_TCP: 'tcp://127.10.0.20:80',
        MY_WEB_PORT_80_TCP_PROTO: 'tcp',
        MY_WEB_PORT_80_TCP_PORT: '80',
        MY_WEB_PORT_80_TCP_ADDR: '127.10.0.20',
        MY_WEB_PORT_53_UDP: 'udp://127.10.0.20:53',
        MY_WEB_PORT_53_UDP_PROTO: 'udp',
        MY_WEB_PORT_53_UDP_PORT: '53',
        MY_WEB_PORT_53_UDP_ADDR: '127.10.0.20',
        URL: 'http://127.10.0.20:80',
      });
      // Service variables come first, the container's own after them.
      expect(env.at(-1)?.key).toBe('URL');
    });

    it('lets explicit env win over a service variable, and keeps only default/kubernetes without service links', async () => {
      const linked = podWith(
        { env: [{ name: 'MY_WEB_SERVICE_HOST', value: 'mine' }] },
        { enableServiceLinks: true },
        'team',
      );
      expect((await envOf(linked))['MY_WEB_SERVICE_HOST']).toBe('mine');
      const unlinked = podWith({}, { enableServiceLinks: false }, 'team');
      expect(await envOf(unlinked)).toEqual(kubernetesVars);
      const inDefault = podWith({}, { enableServiceLinks: true });
      const env = await envOf(inDefault);
      expect(env['OTHER_SERVICE_HOST']).toBe('127.10.0.9');
      expect(env['OTHER_PORT']).toBe('tcp://127.10.0.9:1');
      expect(env['MY_WEB_SERVICE_HOST']).toBeUndefined();
    });
  });
});
