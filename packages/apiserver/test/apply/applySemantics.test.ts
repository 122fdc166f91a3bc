import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type appsv1, type KubeObject } from '@tugboat/core';

import { systemAdmin, type Registry, type RequestContext } from '../../src/index.js';
import { newApiserver } from '../harness.js';

const def = resources.Deployments;
const as = (fieldManager: string, extra: Partial<RequestContext> = {}): RequestContext => ({
  user: systemAdmin,
  namespace: 'default',
  fieldManager,
  ...extra,
});

/** An applied configuration of deployment `web`. */
function config(
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', ...metadata }, spec };
}

const template = (containers: Record<string, unknown>[]): Record<string, unknown> => ({
  selector: { matchLabels: { app: 'web' } },
  template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
});

type Deployment = appsv1.Deployment & KubeObject;
const managers = (d: KubeObject): string[] =>
  (d.metadata?.managedFields ?? []).map(
    (m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`,
  );

describe('server-side apply semantics', () => {
  let registry: Registry;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ registry, close } = await newApiserver());
  });
  afterEach(() => close());

  const get = async (): Promise<Deployment> => (await registry.get(as(''), def, 'web')) as Deployment;
  const apply = async (
    manager: string,
    body: unknown,
    options: { force?: boolean; subresource?: string } = {},
  ) => registry.apply(as(manager), def, 'web', body, options);

  it('creates the object when it does not exist, owned by the applier', async () => {
    const res = await apply(
      'm1',
      config({ replicas: 2, ...template([{ name: 'app', image: 'busybox:1' }]) }),
    );
    expect(res.created).toBe(true);
    const live = await get();
    expect(live.spec?.replicas).toBe(2);
    expect(live.metadata?.uid).toBeTruthy();
    expect(managers(live)).toEqual(['m1/Apply']);
    expect(live.metadata?.managedFields?.[0]).toMatchObject({
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:selector': {} } },
    });
  });

  it('updates applied fields and removes the fields the manager stopped applying', async () => {
    await apply(
      'm1',
      config(
        { replicas: 2, ...template([{ name: 'app', image: 'busybox:1' }]) },
        { labels: { a: '1', b: '2' } },
      ),
    );
    const res = await apply(
      'm1',
      config({ replicas: 3, ...template([{ name: 'app', image: 'busybox:2' }]) }, { labels: { a: '1' } }),
    );
    expect(res.created).toBe(false);
    const live = await get();
    expect(live.spec?.replicas).toBe(3);
    expect(live.spec?.template.spec?.containers[0]?.image).toBe('busybox:2');
    expect(live.metadata?.labels).toEqual({ a: '1' });
  });

  it('leaves an unchanged apply as a no-op (same resourceVersion)', async () => {
    const body = config({ replicas: 2, ...template([{ name: 'app', image: 'busybox:1' }]) });
    const first = (await apply('m1', body)).object;
    const second = (await apply('m1', body)).object;
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('reports conflicts with another manager, stores nothing, and lets force take ownership', async () => {
    await apply('m1', config({ replicas: 2, ...template([{ name: 'app', image: 'busybox:1' }]) }));
    const before = await get();
    const err = await apply('m2', config({ replicas: 5 })).catch((e: unknown) => e);
    expect(ApiError.is(err, 'Conflict')).toBe(true);
    const status = (err as ApiError).toStatus();
    expect(status.code).toBe(409);
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "m1": .spec.replicas');
    expect(status.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "m1"', field: '.spec.replicas' },
    ]);
    expect((await get()).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);

    // The same value is shared ownership, not a conflict.
    await apply('m2', config({ replicas: 2 }));
    await apply('m2', config({ replicas: 5 }), { force: true }).catch(() => undefined);
    await apply('m3', config({ replicas: 7 }), { force: true });
    const live = await get();
    expect(live.spec?.replicas).toBe(7);
    const m1 = live.metadata?.managedFields?.find((m) => m.manager === 'm1');
    expect(JSON.stringify(m1?.fieldsV1)).not.toContain('f:replicas');
  });

  it('keeps a field another manager still owns when the applier stops applying it', async () => {
    await apply(
      'm1',
      config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:1' }]) }, { labels: { team: 'x' } }),
    );
    await apply('m2', config({}, { labels: { team: 'x' } }));
    await apply('m1', config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:1' }]) }));
    expect((await get()).metadata?.labels).toEqual({ team: 'x' });
    await apply('m2', config({}));
    expect((await get()).metadata?.labels ?? {}).toEqual({});
  });

  it('merges lists of containers by name across two managers', async () => {
    await apply('m1', config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:1' }]) }));
    await apply(
      'm2',
      config({ template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:9' }] } } }),
    );
    let containers = (await get()).spec?.template.spec?.containers ?? [];
    expect(containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=busybox:1', 'sidecar=busybox:9']);

    await apply('m1', config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:2' }]) }));
    await apply('m2', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
    containers = (await get()).spec?.template.spec?.containers ?? [];
    expect(containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=busybox:2']);
    expect(managers(await get())).toEqual(['m1/Apply']);
  });

  it('records Update ownership for writes naming a manager, which later applies conflict with', async () => {
    await apply('m1', config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:1' }]) }));
    await registry.patch(as('editor'), def, 'web', 'merge', { spec: { replicas: 4 } });
    const live = await get();
    expect(managers(live)).toEqual(['m1/Apply', 'editor/Update']);
    // The update took the field from m1: m1 re-applying its old value conflicts with the editor.
    const err = await apply(
      'm1',
      config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:1' }]) }),
    ).catch((e: unknown) => e as ApiError);
    expect((err as ApiError).message).toBe(
      'Apply failed with 1 conflict: conflict with "editor" using apps/v1: .spec.replicas',
    );
  });

  it('keeps stored managedFields on a replace that omits them, and records nothing on objects without them', async () => {
    await registry.create(
      { user: systemAdmin, namespace: 'default' },
      def,
      config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:1' }]) }),
    );
    await registry.patch({ user: systemAdmin, namespace: 'default' }, def, 'web', 'merge', {
      spec: { replicas: 2 },
    });
    expect((await get()).metadata?.managedFields).toBeUndefined();

    await apply('m1', config({ replicas: 3 }));
    const live = await get();
    delete live.metadata?.managedFields;
    await registry.update({ user: systemAdmin, namespace: 'default' }, def, live);
    expect(managers(await get())).toEqual(['m1/Apply']);
  });

  it('stores nothing on dry-run', async () => {
    const body = config({ replicas: 2, ...template([{ name: 'app', image: 'busybox:1' }]) });
    const res = await registry.apply(as('m1', { dryRun: true }), def, 'web', body);
    expect((res.object as Deployment).spec).toMatchObject({ replicas: 2 });
    await expect(get()).rejects.toMatchObject({ code: 'NotFound' });
    await apply('m1', body);
    await registry.apply(
      as('m1', { dryRun: true }),
      def,
      'web',
      config({ replicas: 9, ...template([{ name: 'app', image: 'busybox:1' }]) }),
    );
    expect((await get()).spec?.replicas).toBe(2);
  });

  it('refuses bad input with a typed error and stores nothing', async () => {
    const body = config({ replicas: 2, ...template([{ name: 'app', image: 'busybox:1' }]) });
    await expect(registry.apply(as(''), def, 'web', body)).rejects.toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('fieldManager is required'),
    });
    await expect(apply('m1', 'nope')).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(apply('m1', { ...body, kind: 'ReplicaSet' })).rejects.toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('kind'),
    });
    await expect(apply('m1', { ...body, apiVersion: 'apps/v2' })).rejects.toMatchObject({
      code: 'BadRequest',
    });
    await expect(apply('m1', { ...body, metadata: { name: 'other' } })).rejects.toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('does not match the name'),
    });
    await expect(
      apply('m1', config({ replicas: -1, ...template([{ name: 'app', image: 'busybox:1' }]) })),
    ).rejects.toMatchObject({ code: 'Invalid' });
    await expect(
      apply('m1', config({ template: { spec: { containers: [{ image: 'x' }] } } })),
    ).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringContaining('key field "name"') });
    await expect(get()).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('applies to the status subresource as its own manager', async () => {
    await apply('m1', config({ replicas: 1, ...template([{ name: 'app', image: 'busybox:1' }]) }));
    await apply(
      'ctrl',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { replicas: 9 },
        status: { observedGeneration: 1, replicas: 1 },
      },
      { subresource: 'status' },
    );
    const live = await get();
    expect(live.status?.replicas).toBe(1);
    expect(live.spec?.replicas).toBe(1);
    expect(managers(live)).toEqual(['m1/Apply', 'ctrl/Apply/status']);
  });
});
