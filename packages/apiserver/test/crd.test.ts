import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { silentLogger, type apiextensionsv1, type ResourceRef, type UnstructuredObject } from '@tugboat/core';
import { firstValueFrom, take, toArray } from 'rxjs';

import { InProcessApiClient, Registry, ResourceRegistry, type Scale } from '../src/index.js';
import { CustomResourceDefinitions, newApiserver, rejection } from './harness.js';

const schema = {
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['size'],
        properties: {
          size: { type: 'integer', minimum: 1 },
          color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
          replicas: { type: 'integer' },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          port: { 'x-kubernetes-int-or-string': true },
        },
      },
      status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
    },
  },
} as unknown as apiextensionsv1.CustomResourceValidation;

function widgetCrd(): apiextensionsv1.CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        shortNames: ['wd'],
        categories: ['all'],
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.replicas',
              statusReplicasPath: '.status.replicas',
              labelSelectorPath: '.status.selector',
            },
          },
          additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        },
        { name: 'v1beta1', served: true, storage: false, schema },
      ],
    },
  };
}

const Widgets: ResourceRef<UnstructuredObject> = {
  group: 'example.com',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
};
const WidgetsBeta: ResourceRef<UnstructuredObject> = { ...Widgets, version: 'v1beta1' };

function widget(name: string, spec: Record<string, unknown>): UnstructuredObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec };
}

describe('CustomResourceDefinitions', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver();
  });
  afterEach(async () => api.close());

  it('registers the kind with its names, columns and subresources and reports Established', async () => {
    const added = firstValueFrom(api.registry.resources.changes.pipe(take(2), toArray()));
    const crd = await api.client.create(CustomResourceDefinitions, widgetCrd());
    const conditions = Object.fromEntries((crd.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toEqual({ NamesAccepted: 'True', Established: 'True' });
    expect(crd.status?.acceptedNames).toMatchObject({
      plural: 'widgets',
      kind: 'Widget',
      listKind: 'WidgetList',
      shortNames: ['wd'],
    });
    expect(crd.status?.storedVersions).toEqual(['v1']);
    const def = api.registry.resources.lookup('example.com', 'v1', 'widgets');
    expect(def).toMatchObject({
      kind: 'Widget',
      namespaced: true,
      shortNames: ['wd'],
      categories: ['all'],
      subresources: ['status', 'scale'],
    });
    expect(def?.printerColumns[0]).toMatchObject({ name: 'Size', jsonPath: '.spec.size' });
    expect(
      api.registry.resources
        .byShortName('wd')
        .map((d) => d.version)
        .sort(),
    ).toEqual(['v1', 'v1beta1']);
    expect((await added).map((c) => `${c.type} ${c.definition.version}`)).toEqual([
      'added v1',
      'added v1beta1',
    ]);
  });

  it('validates, defaults and prunes custom objects against the schema', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    const created = await api.client.create(
      Widgets,
      widget('w', { size: 2, bogus: true, extra: { anything: [1] }, port: 'http' }),
    );
    expect(created.spec).toEqual({ size: 2, color: 'red', extra: { anything: [1] }, port: 'http' });
    expect(created.metadata?.generation).toBe(1);
    const strict = await rejection(() =>
      api.client.create(Widgets, widget('s', { size: 1, bogus: 1 }), { fieldValidation: 'Strict' }),
    );
    expect(strict.code).toBe('BadRequest');
    expect(strict.message).toContain('unknown field "spec.bogus"');
  });

  it('lists every bad field of an invalid custom object and stores nothing', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    const before = await api.store.currentRevision();
    const err = await rejection(() =>
      api.client.create(Widgets, { ...widget('Bad!', { color: 'green', replicas: 'many' }) }),
    );
    expect(err.code).toBe('Invalid');
    const fields = (err.details.causes ?? []).map((c) => c.field).sort();
    expect(fields).toEqual(['metadata.name', 'spec.color', 'spec.replicas', 'spec.size']);
    expect(err.message).toContain('spec.size: Required value');
    expect(err.message).toContain('spec.color: Unsupported value: "green": supported values: "red", "blue"');
    expect(err.message).toContain(
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    );
    expect(await api.store.currentRevision()).toBe(before);
  });

  it('validates updates too, storing nothing when invalid', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    const w = await api.client.create(Widgets, widget('u', { size: 1 }));
    const rev = await api.store.currentRevision();
    const err = await rejection(() => api.client.update(Widgets, { ...w, spec: { size: 0 } }));
    expect(err.code).toBe('Invalid');
    expect(err.details.causes?.[0]?.field).toBe('spec.size');
    const patchErr = await rejection(() =>
      api.client.patch(Widgets, 'u', 'merge', { spec: { color: 'green' } }, { namespace: 'default' }),
    );
    expect(patchErr.code).toBe('Invalid');
    expect(await api.store.currentRevision()).toBe(rev);
  });

  it('does not accept a second CRD whose kind is taken in the group', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    const crd = widgetCrd();
    const clash = await api.client.create(CustomResourceDefinitions, {
      ...crd,
      metadata: { name: 'gizmos.example.com' },
      spec: { ...crd.spec, names: { plural: 'gizmos', kind: 'Widget' } },
    });
    const names = clash.status?.conditions?.find((c) => c.type === 'NamesAccepted');
    expect(names).toMatchObject({ status: 'False', reason: 'NameConflict' });
    expect(api.registry.resources.lookup('example.com', 'v1', 'gizmos')).toBeUndefined();
  });

  it('refuses a strategic merge patch on custom objects, as upstream', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    await api.client.create(Widgets, widget('smp', { size: 1 }));
    const err = await rejection(() =>
      api.client.patch(Widgets, 'smp', 'strategic', { spec: { size: 2 } }, { namespace: 'default' }),
    );
    expect(err.code).toBe('UnsupportedMediaType');
  });

  it('serves every served version from the same stored object', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    await api.client.create(Widgets, widget('shared', { size: 3 }));
    const beta = await api.client.get(WidgetsBeta, 'shared', { namespace: 'default' });
    expect(beta.apiVersion).toBe('example.com/v1beta1');
    expect(beta.spec).toEqual({ size: 3, color: 'red' });
  });

  it('splits status and serves scale as the CRD declares', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    const w = await api.client.create(Widgets, {
      ...widget('sc', { size: 1, replicas: 2 }),
      status: { replicas: 5 },
    });
    expect(w['status']).toBeUndefined();
    const st = await api.client.updateStatus(Widgets, {
      ...w,
      status: { replicas: 1, selector: 'app=sc', unknown: 'pruned' },
    });
    expect(st['status']).toEqual({ replicas: 1, selector: 'app=sc' });
    const scale = await api.client.getSubresource<Scale>(Widgets, 'sc', 'scale', { namespace: 'default' });
    expect(scale).toMatchObject({ spec: { replicas: 2 }, status: { replicas: 1, selector: 'app=sc' } });
    await api.client.updateSubresource(
      Widgets,
      'sc',
      'scale',
      { spec: { replicas: 4 } },
      { namespace: 'default' },
    );
    expect((await api.client.get(Widgets, 'sc', { namespace: 'default' })).spec).toMatchObject({
      replicas: 4,
    });
  });

  it('rejects an invalid CRD listing every problem and registers nothing', async () => {
    const bad = widgetCrd();
    const err = await rejection(() =>
      api.client.create(CustomResourceDefinitions, {
        ...bad,
        metadata: { name: 'wrong' },
        spec: {
          ...bad.spec,
          group: 'nodots',
          scope: 'Everywhere',
          versions: [
            { name: 'v1', served: true, storage: false },
            { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'nonsense' } } },
          ],
        },
      }),
    );
    expect(err.code).toBe('Invalid');
    const fields = new Set((err.details.causes ?? []).map((c) => c.field));
    for (const f of [
      'spec.group',
      'spec.scope',
      'spec.versions',
      'spec.versions[0].schema.openAPIV3Schema',
      'spec.versions[1].schema.openAPIV3Schema',
    ]) {
      expect(fields).toContain(f);
    }
    expect(api.registry.resources.byName('widgets')).toEqual([]);
  });

  it('deleting the CRD removes the kind and every object of it', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    await api.client.create(Widgets, widget('d1', { size: 1 }));
    await api.client.delete(CustomResourceDefinitions, 'widgets.example.com');
    expect(api.registry.resources.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
    expect((await rejection(() => api.client.get(Widgets, 'd1', { namespace: 'default' }))).code).toBe(
      'NotFound',
    );
    expect((await api.store.list('/example.com/widgets/')).items).toHaveLength(0);
  });

  it('serves stored CRDs again after a restart on the same store', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    await api.client.create(Widgets, widget('kept', { size: 1 }));
    const second = new Registry(api.store, new ResourceRegistry(), silentLogger);
    const client = new InProcessApiClient(second);
    expect((await client.get(Widgets, 'kept', { namespace: 'default' })).spec).toMatchObject({ size: 1 });
  });

  it('follows CRDs created and deleted through another API server on the same store', async () => {
    const other = new Registry(api.store, new ResourceRegistry(), silentLogger);
    await other.start();
    const served = (): boolean => other.resources.lookup('example.com', 'v1', 'widgets') !== undefined;
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    await until(served);
    await new InProcessApiClient(other).create(Widgets, widget('remote', { size: 1 }));
    await api.client.delete(CustomResourceDefinitions, 'widgets.example.com');
    await until(() => !served());
    other.close();
  });

  it('ends watches on a custom kind when its CRD is deleted', async () => {
    await api.client.create(CustomResourceDefinitions, widgetCrd());
    const ended = new Promise<string[]>((resolve, reject) => {
      const types: string[] = [];
      api.client.watch(Widgets, { namespace: 'default' }).subscribe({
        next: (e) => types.push(e.type),
        error: reject,
        complete: () => {
          resolve(types);
        },
      });
    });
    await api.client.create(Widgets, widget('w1', { size: 1 }));
    await api.client.delete(CustomResourceDefinitions, 'widgets.example.com');
    expect(await ended).toContain('ADDED');
  });

  it('serves cluster-scoped custom kinds', async () => {
    const crd = widgetCrd();
    await api.client.create(CustomResourceDefinitions, {
      ...crd,
      metadata: { name: 'gadgets.example.com' },
      spec: { ...crd.spec, scope: 'Cluster', names: { plural: 'gadgets', kind: 'Gadget' } },
    });
    const Gadgets: ResourceRef<UnstructuredObject> = {
      group: 'example.com',
      version: 'v1',
      plural: 'gadgets',
      kind: 'Gadget',
      namespaced: false,
    };
    await api.client.create(Gadgets, { metadata: { name: 'g' }, spec: { size: 1 } });
    expect(await api.store.get('/example.com/gadgets/g')).toBeDefined();
  });
});

/** Polls `condition` until it holds, failing after ten seconds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
