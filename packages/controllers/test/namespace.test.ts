import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, defineResource, resources, type corev1, type KubeObject } from '@tugboat/core';

import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Namespaces, Pods, Deployments, ReplicaSets, ConfigMaps, ServiceAccounts, CustomResourceDefinitions } =
  resources;

interface Gadget extends KubeObject {
  spec?: { size?: number };
}
const Gadgets = defineResource<Gadget>({
  group: 'example.com',
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: true,
});

describe('Namespace and ServiceAccount controllers', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster();
    c.startFakeKubelet();
  });
  afterAll(async () => {
    await c.stop();
  });

  it('gives every namespace a default ServiceAccount and recreates it when deleted', async () => {
    await c.api.create(Namespaces, { metadata: { name: 'team-a' } });
    const sa = await until(
      () => c.api.get(ServiceAccounts, 'default', { namespace: 'team-a' }),
      15_000,
      'default SA',
    );
    await c.api.delete(ServiceAccounts, 'default', { namespace: 'team-a' });
    const again = await until(
      async () => {
        const x = await c.api.get(ServiceAccounts, 'default', { namespace: 'team-a' });
        return x.metadata?.uid !== sa.metadata?.uid ? x : undefined;
      },
      15_000,
      'default SA recreated',
    );
    expect(again.metadata?.name).toBe('default');
  });

  it('deleting a namespace removes everything in it, custom kinds included, then the namespace', async () => {
    await c.api.create(CustomResourceDefinitions, {
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget', listKind: 'GadgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    });
    const ns = 'doomed';
    await c.api.create(Namespaces, { metadata: { name: ns } });
    await c.api.create(Deployments, {
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
    });
    await c.api.create(ConfigMaps, { metadata: { name: 'cfg', namespace: ns }, data: { a: '1' } });
    await until(
      () => c.api.create(Gadgets, { metadata: { name: 'g', namespace: ns }, spec: { size: 2 } }),
      15_000,
      'CRD served',
    );
    // A finalizer someone else owns keeps one object (and so the namespace) around for a while.
    await c.api.create(ConfigMaps, {
      metadata: { name: 'held', namespace: ns, finalizers: ['example.com/hold'] },
    });
    await until(
      async () => ((await c.api.list(Pods, { namespace: ns })).items.length === 2 ? true : undefined),
      15_000,
      'pods running',
    );

    await c.api.delete(Namespaces, ns);
    const terminating = await until(
      async () => {
        const x = await c.api.get(Namespaces, ns);
        const held = await c.api.get(ConfigMaps, 'held', { namespace: ns });
        return held.metadata?.deletionTimestamp ? x : undefined;
      },
      15_000,
      'content being deleted',
    );
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.spec?.finalizers).toContain('kubernetes');
    await expect(
      c.api.create(ConfigMaps, { metadata: { name: 'late', namespace: ns } }),
    ).rejects.toMatchObject({ code: 'Forbidden' });

    await c.api.patch(ConfigMaps, 'held', 'merge', { metadata: { finalizers: [] } }, { namespace: ns });
    await until(
      async () => {
        try {
          await c.api.get(Namespaces, ns);
          return undefined;
        } catch (err) {
          return ApiError.is(err, 'NotFound') ? true : undefined;
        }
      },
      15_000,
      'namespace gone',
    );
    for (const def of [Pods, Deployments, ReplicaSets, ConfigMaps, ServiceAccounts, Gadgets]) {
      const left = (await c.api.list<KubeObject>(def, { namespace: ns })).items;
      expect({ kind: def.kind, left: left.length }).toEqual({ kind: def.kind, left: 0 });
    }
  });

  it('leaves namespaces that are not being deleted alone', async () => {
    const ns: corev1.Namespace = await c.api.get(Namespaces, 'default');
    expect(ns.status?.phase ?? 'Active').toBe('Active');
    expect((await c.api.get(Namespaces, 'team-a')).spec?.finalizers).toContain('kubernetes');
  });
});
