import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { call, startTestServer, type TestServer } from './serverHarness.js';

describe('HTTP front: discovery, OpenAPI, health, metrics', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('serves /version and the health endpoints', async () => {
    const version = await call(t.url, 'GET', '/version');
    expect(version.json()['gitVersion']).toMatch(/^v1\.32/);
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const res = await call(t.url, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.text).toBe('ok');
    }
  });

  it('serves legacy discovery with short names, categories and subresources', async () => {
    const api = await call(t.url, 'GET', '/api');
    expect(api.json()['versions']).toEqual(['v1']);
    const groups = (await call(t.url, 'GET', '/apis')).json()['groups'] as {
      name: string;
      preferredVersion: { groupVersion: string };
    }[];
    expect(groups.find((g) => g.name === 'apps')?.preferredVersion.groupVersion).toBe('apps/v1');
    const core = (await call(t.url, 'GET', '/api/v1')).json()['resources'] as Record<string, unknown>[];
    const pods = core.find((r) => r['name'] === 'pods');
    expect(pods).toMatchObject({ singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'] });
    expect(pods?.['verbs']).toEqual(
      expect.arrayContaining(['get', 'list', 'watch', 'create', 'deletecollection']),
    );
    for (const sub of ['pods/status', 'pods/log', 'pods/exec', 'pods/binding'])
      expect(core.some((r) => r['name'] === sub)).toBe(true);
    const apps = (await call(t.url, 'GET', '/apis/apps/v1')).json()['resources'] as Record<string, unknown>[];
    expect(apps.find((r) => r['name'] === 'deployments/scale')).toMatchObject({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    expect(apps.find((r) => r['name'] === 'deployments')?.['categories']).toEqual(['all']);
  });

  it('serves aggregated discovery when asked for it', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const res = await call(t.url, 'GET', '/apis', undefined, { Accept: accept });
    expect(res.headers.get('content-type')).toContain('as=APIGroupDiscoveryList');
    const items = res.json()['items'] as {
      metadata: { name: string };
      versions: { resources: { resource: string; subresources: { subresource: string }[] }[] }[];
    }[];
    const deployments = items
      .find((i) => i.metadata.name === 'apps')
      ?.versions[0]?.resources.find((r) => r.resource === 'deployments');
    expect(deployments?.subresources.map((s) => s.subresource)).toEqual(
      expect.arrayContaining(['scale', 'status']),
    );
  });

  it('serves OpenAPI v3 documents generated from kubernetes-types, with GVK and fieldValidation on PATCH', async () => {
    const root = (await call(t.url, 'GET', '/openapi/v3')).json()['paths'] as Record<
      string,
      { serverRelativeURL: string }
    >;
    expect(Object.keys(root)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1']));
    const url = root['api/v1']!.serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
    const res = await call(t.url, 'GET', url);
    expect(res.headers.get('cache-control')).toBe('public, immutable');
    const doc = res.json() as {
      paths: Record<
        string,
        { patch?: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': unknown } }
      >;
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(patch?.parameters.some((p) => p.name === 'fieldValidation')).toBe(true);
    const podSpec = doc.components.schemas['io.k8s.api.core.v1.PodSpec'] as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(podSpec.properties['containers']).toMatchObject({
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(String(podSpec.properties['containers']?.['description'])).toContain(
      'List of containers belonging to the pod',
    );
    const etag = res.headers.get('etag')!;
    expect((await call(t.url, 'GET', url, undefined, { 'If-None-Match': etag })).status).toBe(304);
  });

  it('exposes Prometheus metrics for requests, latency, in-flight requests and watches', async () => {
    await call(t.url, 'GET', '/api/v1/namespaces/default/pods');
    const res = await call(t.url, 'GET', '/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toMatch(/apiserver_request_total\{verb="LIST",resource="pods",code="200"\} \d+/);
    expect(res.text).toContain('apiserver_request_duration_seconds_bucket');
    expect(res.text).toContain('apiserver_current_inflight_requests');
    expect(res.text).toContain('apiserver_registered_watchers');
  });
});
