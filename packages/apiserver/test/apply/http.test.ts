import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { call, startTestServer, type TestServer } from '../http/serverHarness.js';

const cms = '/api/v1/namespaces/default/configmaps';
const yaml = (name: string, value: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: "${value}"\n`;
const apply = { 'Content-Type': 'application/apply-patch+yaml' };

describe('server-side apply over HTTP', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const status = (res: { status: number; json: () => Record<string, unknown> }) => ({
    code: res.status,
    reason: res.json()['reason'],
  });

  it('creates with 201 from YAML, then updates with 200 from JSON', async () => {
    const created = await call(t.url, 'PATCH', `${cms}/c1?fieldManager=me`, yaml('c1', 'a'), apply);
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({
      data: { key: 'a' },
      metadata: { managedFields: [{ manager: 'me', operation: 'Apply' }] },
    });
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1' },
      data: { key: 'b' },
    });
    const updated = await call(t.url, 'PATCH', `${cms}/c1?fieldManager=me`, body, apply);
    expect(updated.status).toBe(200);
    expect(updated.json()).toMatchObject({ data: { key: 'b' } });
  });

  it('answers a conflict with a 409 Status naming the field and manager', async () => {
    const res = await call(t.url, 'PATCH', `${cms}/c1?fieldManager=other`, yaml('c1', 'z'), apply);
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "me": .data.key',
      details: {
        causes: [{ reason: 'FieldManagerConflict', field: '.data.key', message: 'conflict with "me"' }],
      },
    });
    const forced = await call(
      t.url,
      'PATCH',
      `${cms}/c1?fieldManager=other&force=true`,
      yaml('c1', 'z'),
      apply,
    );
    expect(forced.status).toBe(200);
    expect(forced.json()).toMatchObject({ data: { key: 'z' } });
  });

  it('does not store a dry-run apply', async () => {
    const res = await call(t.url, 'PATCH', `${cms}/dry?fieldManager=me&dryRun=All`, yaml('dry', 'a'), apply);
    expect(res.status).toBe(201);
    expect((await call(t.url, 'GET', `${cms}/dry`)).status).toBe(404);
  });

  it('records Update ownership for kubectl-style writes naming a fieldManager', async () => {
    const res = await call(t.url, 'POST', `${cms}?fieldManager=kubectl-create`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c2' },
      data: { a: '1' },
    });
    expect(res.json()).toMatchObject({
      metadata: {
        managedFields: [
          { manager: 'kubectl-create', operation: 'Update', fieldsV1: { 'f:data': { 'f:a': {} } } },
        ],
      },
    });
    const plain = await call(t.url, 'POST', cms, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c3' },
    });
    expect((plain.json()['metadata'] as Record<string, unknown>)['managedFields']).toBeUndefined();
  });

  it('refuses bad applies with 400 and stores nothing', async () => {
    expect(status(await call(t.url, 'PATCH', `${cms}/bad`, yaml('bad', 'a'), apply))).toEqual({
      code: 400,
      reason: 'BadRequest',
    });
    expect(status(await call(t.url, 'PATCH', `${cms}/bad?fieldManager=me`, '- a\n- b\n', apply))).toEqual({
      code: 400,
      reason: 'BadRequest',
    });
    expect(status(await call(t.url, 'PATCH', `${cms}/bad?fieldManager=me`, 'a: [', apply))).toEqual({
      code: 400,
      reason: 'BadRequest',
    });
    expect(
      status(await call(t.url, 'PATCH', `${cms}/bad?fieldManager=me`, yaml('other', 'a'), apply)),
    ).toEqual({ code: 400, reason: 'BadRequest' });
    expect(
      status(
        await call(t.url, 'PATCH', `${cms}/bad?fieldManager=me`, 'apiVersion: v1\nkind: Secret\n', apply),
      ),
    ).toEqual({ code: 400, reason: 'BadRequest' });
    expect(
      status(await call(t.url, 'PATCH', `${cms}/bad?fieldManager=me&force=maybe`, yaml('bad', 'a'), apply)),
    ).toEqual({ code: 400, reason: 'BadRequest' });
    expect(status(await call(t.url, 'PATCH', `${cms}/BAD?fieldManager=me`, yaml('BAD', 'a'), apply))).toEqual(
      { code: 422, reason: 'Invalid' },
    );
    expect((await call(t.url, 'GET', `${cms}/bad`)).status).toBe(404);
  });

  it('refuses malformed managedFields sent in a write with 422 and keeps the stored ones', async () => {
    const live = (await call(t.url, 'GET', `${cms}/c1`)).json();
    const meta = live['metadata'] as Record<string, unknown>;
    const bad = {
      ...live,
      metadata: { ...meta, managedFields: [{ manager: 'x', operation: 'Bogus', fieldsV1: {} }] },
    };
    expect(status(await call(t.url, 'PUT', `${cms}/c1`, bad))).toEqual({ code: 422, reason: 'Invalid' });
    const badFields = {
      ...live,
      metadata: { ...meta, managedFields: [{ manager: 'x', operation: 'Update', fieldsV1: { 'q:x': {} } }] },
    };
    expect(status(await call(t.url, 'PUT', `${cms}/c1`, badFields))).toEqual({
      code: 422,
      reason: 'Invalid',
    });
    const after = (await call(t.url, 'GET', `${cms}/c1`)).json();
    expect((after['metadata'] as Record<string, unknown>)['managedFields']).toEqual(meta['managedFields']);
  });
});
