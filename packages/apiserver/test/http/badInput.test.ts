import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { call, podBody, startTestServer, type TestServer } from './serverHarness.js';

const pods = '/api/v1/namespaces/default/pods';

describe('HTTP front: bad input yields a typed Status and stores nothing', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const expectStatus = (
    res: { status: number; json: () => Record<string, unknown>; text: string },
    code: number,
    reason: string,
  ): Record<string, unknown> => {
    expect(res.status).toBe(code);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
    expect(res.text).not.toMatch(/\n\s+at /);
    return body;
  };
  const podCount = async (): Promise<number> =>
    ((await call(t.url, 'GET', pods)).json()['items'] as unknown[]).length;

  it('answers malformed JSON and YAML with 400', async () => {
    expectStatus(await call(t.url, 'POST', pods, '{"kind": "Pod", '), 400, 'BadRequest');
    expectStatus(
      await call(t.url, 'POST', pods, 'a: [1, 2', { 'Content-Type': 'application/yaml' }),
      400,
      'BadRequest',
    );
    expectStatus(await call(t.url, 'POST', pods, '[1,2]'), 400, 'BadRequest');
    expect(await podCount()).toBe(0);
  });

  it('accepts YAML bodies', async () => {
    const yaml =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n  containers:\n  - name: app\n    image: busybox\n';
    const res = await call(t.url, 'POST', pods, yaml, { 'Content-Type': 'application/yaml' });
    expect(res.status).toBe(201);
    expect(res.json()['metadata']).toMatchObject({ name: 'from-yaml', namespace: 'default' });
    await call(t.url, 'DELETE', `${pods}/from-yaml`);
  });

  it('names unknown fields under fieldValidation=Strict, warns under Warn, ignores under Ignore', async () => {
    const body = podBody('strict', {
      spec: { containers: [{ name: 'app', image: 'busybox', bogus: 1 }], alsoBogus: true },
    });
    const strict = expectStatus(
      await call(t.url, 'POST', `${pods}?fieldValidation=Strict`, body),
      400,
      'BadRequest',
    );
    expect(strict['message']).toContain('unknown field "spec.containers[0].bogus"');
    expect(strict['message']).toContain('unknown field "spec.alsoBogus"');
    expect(await podCount()).toBe(0);
    const warn = await call(t.url, 'POST', `${pods}?fieldValidation=Warn`, body);
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toContain('spec.containers[0].bogus');
    await call(t.url, 'DELETE', `${pods}/strict`);
    const ignore = await call(t.url, 'POST', `${pods}?fieldValidation=Ignore`, body);
    expect(ignore.status).toBe(201);
    expect(ignore.headers.get('warning')).toBeNull();
    await call(t.url, 'DELETE', `${pods}/strict`);
  });

  it('answers an invalid object with 422 and a cause per field', async () => {
    const body = podBody('bad', {
      spec: {
        containers: [
          { name: 'app', image: '' },
          { name: 'BAD NAME', image: 'x' },
        ],
      },
    });
    const status = expectStatus(await call(t.url, 'POST', pods, body), 422, 'Invalid');
    const causes = (status['details'] as { causes: { field: string }[] }).causes;
    expect(causes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['spec.containers[0].image', 'spec.containers[1].name']),
    );
    expect(await podCount()).toBe(0);
  });

  it('refuses a body over 3 MiB with 413', async () => {
    const big = JSON.stringify(
      podBody('big', { metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * 1024 * 1024) } } }),
    );
    expectStatus(await call(t.url, 'POST', pods, big), 413, 'RequestEntityTooLarge');
    expect(await podCount()).toBe(0);
  });

  it('refuses unsupported content types with 415', async () => {
    expectStatus(
      await call(t.url, 'POST', pods, 'x', { 'Content-Type': 'text/plain' }),
      415,
      'UnsupportedMediaType',
    );
    await call(t.url, 'POST', pods, podBody('p1'));
    expectStatus(
      await call(t.url, 'PATCH', `${pods}/p1`, '{}', { 'Content-Type': 'application/json' }),
      415,
      'UnsupportedMediaType',
    );
    // Server-side apply is served (test/apply); without a fieldManager it is a 400.
    expectStatus(
      await call(t.url, 'PATCH', `${pods}/p1`, 'a: 1', { 'Content-Type': 'application/apply-patch+yaml' }),
      400,
      'BadRequest',
    );
    await call(t.url, 'DELETE', `${pods}/p1`);
  });

  it('answers unknown resources and paths with 404 and wrong methods with 405', async () => {
    expectStatus(await call(t.url, 'GET', '/api/v1/namespaces/default/widgets'), 404, 'NotFound');
    expectStatus(await call(t.url, 'GET', '/apis/nope.example.com/v1'), 404, 'NotFound');
    expectStatus(await call(t.url, 'GET', '/no/such/path'), 404, 'NotFound');
    expectStatus(await call(t.url, 'GET', `${pods}/missing`), 404, 'NotFound');
    expectStatus(await call(t.url, 'POST', '/version', '{}'), 405, 'MethodNotAllowed');
    expectStatus(await call(t.url, 'PUT', pods, podBody('x')), 405, 'MethodNotAllowed');
  });

  it('refuses a body whose kind, apiVersion, namespace or name disagrees with the URL', async () => {
    expectStatus(await call(t.url, 'POST', pods, { ...podBody('k'), kind: 'Service' }), 400, 'BadRequest');
    expectStatus(
      await call(t.url, 'POST', pods, { ...podBody('k'), apiVersion: 'apps/v1' }),
      400,
      'BadRequest',
    );
    expectStatus(
      await call(t.url, 'POST', pods, podBody('k', { metadata: { name: 'k', namespace: 'other' } })),
      400,
      'BadRequest',
    );
    await call(t.url, 'POST', pods, podBody('k'));
    const current = (await call(t.url, 'GET', `${pods}/k`)).json();
    expectStatus(await call(t.url, 'PUT', `${pods}/other-name`, current), 400, 'BadRequest');
    await call(t.url, 'DELETE', `${pods}/k`);
  });

  it('refuses bad query parameters with 400 and ignores unknown ones', async () => {
    expectStatus(await call(t.url, 'GET', `${pods}?limit=abc`), 400, 'BadRequest');
    expectStatus(await call(t.url, 'GET', `${pods}?resourceVersion=xyz`), 400, 'BadRequest');
    expectStatus(await call(t.url, 'POST', `${pods}?dryRun=Some`, podBody('q')), 400, 'BadRequest');
    expectStatus(await call(t.url, 'POST', `${pods}?fieldValidation=Loose`, podBody('q')), 400, 'BadRequest');
    expect((await call(t.url, 'GET', `${pods}?somethingNew=1&limit=500`)).status).toBe(200);
    expect(await podCount()).toBe(0);
  });

  it('answers malformed patches with 400 and unappliable JSON patches with 422', async () => {
    await call(t.url, 'POST', pods, podBody('pp'));
    expectStatus(
      await call(t.url, 'PATCH', `${pods}/pp`, '{bad', { 'Content-Type': 'application/merge-patch+json' }),
      400,
      'BadRequest',
    );
    expectStatus(
      await call(t.url, 'PATCH', `${pods}/pp`, '{"op":"add"}', {
        'Content-Type': 'application/json-patch+json',
      }),
      400,
      'BadRequest',
    );
    const unappliable = [{ op: 'test', path: '/metadata/name', value: 'other' }];
    expectStatus(
      await call(t.url, 'PATCH', `${pods}/pp`, JSON.stringify(unappliable), {
        'Content-Type': 'application/json-patch+json',
      }),
      422,
      'Invalid',
    );
    await call(t.url, 'DELETE', `${pods}/pp`);
  });

  it('answers log/exec without a node agent with 503', async () => {
    await call(t.url, 'POST', pods, podBody('lg'));
    expectStatus(await call(t.url, 'GET', `${pods}/lg/log`), 503, 'ServiceUnavailable');
    await call(t.url, 'DELETE', `${pods}/lg`);
  });

  it('decodes the protobuf bodies kubectl create sends for namespaces', async () => {
    // k8s\0 + Unknown{typeMeta{apiVersion:"v1",kind:"Namespace"}, raw: Namespace{metadata{name:"pb"}}}
    const meta = Buffer.from([0x0a, 0x02, ...Buffer.from('pb')]);
    const ns = Buffer.from([0x0a, meta.length, ...meta]);
    const typeMeta = Buffer.from([0x0a, 0x02, ...Buffer.from('v1'), 0x12, 0x09, ...Buffer.from('Namespace')]);
    const unknown = Buffer.from([0x0a, typeMeta.length, ...typeMeta, 0x12, ns.length, ...ns]);
    const body = Buffer.concat([Buffer.from('k8s\u0000', 'latin1'), unknown]);
    const res = await call(t.url, 'POST', '/api/v1/namespaces', body, {
      'Content-Type': 'application/vnd.kubernetes.protobuf',
    });
    expect(res.status).toBe(201);
    expect(res.json()['metadata']).toMatchObject({ name: 'pb' });
    expectStatus(
      await call(t.url, 'POST', '/api/v1/namespaces', Buffer.from('k8s\u0000\xff\xff', 'latin1'), {
        'Content-Type': 'application/vnd.kubernetes.protobuf',
      }),
      400,
      'BadRequest',
    );
  });
});
