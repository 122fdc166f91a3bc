import { describe, expect, it } from '@jest/globals';
import { ApiError, resources } from '@tugboat/core';

import { strategicMergePatch } from '../src/patch/strategicMergePatch.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a'] },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'busybox:1.35',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80 }],
          },
          { name: 'sidecar', image: 'busybox:1.35' },
        ],
        tolerations: [{ key: 'x', operator: 'Exists' }],
      },
    },
  },
};

type Obj = typeof deployment;
const patch = (p: unknown, def = resources.Deployments as never): Obj =>
  strategicMergePatch(deployment, p, def) as Obj;
const containers = (o: Obj) => o.spec.template.spec.containers;

describe('strategicMergePatch', () => {
  it('merges a containers list by name, keeping the other containers', () => {
    const out = patch({
      spec: { template: { spec: { containers: [{ name: 'app', image: 'busybox:2' }] } } },
    });
    expect(containers(out).map((c) => [c.name, c.image])).toEqual([
      ['app', 'busybox:2'],
      ['sidecar', 'busybox:1.35'],
    ]);
    expect(containers(out)[0]?.env).toHaveLength(2);
  });

  it('appends list elements whose merge key is new', () => {
    const out = patch({ spec: { template: { spec: { containers: [{ name: 'new', image: 'x' }] } } } });
    expect(containers(out).map((c) => c.name)).toEqual(['app', 'sidecar', 'new']);
  });

  it('merges nested lists (env by name) inside a merged element', () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                env: [
                  { name: 'B', value: '3' },
                  { name: 'C', value: '4' },
                ],
              },
            ],
          },
        },
      },
    });
    expect(containers(out)[0]?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
  });

  it('deletes a list element with $patch: delete', () => {
    const out = patch({
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    });
    expect(containers(out).map((c) => c.name)).toEqual(['app']);
  });

  it('replaces a merged list with a $patch: replace element', () => {
    const out = patch({
      spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'y' }] } } },
    });
    expect(containers(out)).toEqual([{ name: 'only', image: 'y' }]);
  });

  it('replaces lists that have no merge strategy (tolerations)', () => {
    const out = patch({ spec: { template: { spec: { tolerations: [{ key: 'y', operator: 'Exists' }] } } } });
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'y', operator: 'Exists' }]);
  });

  it('deletes map keys set to null and merges maps', () => {
    const out = patch({ metadata: { labels: { tier: null, env: 'prod' } } });
    expect(out.metadata.labels).toEqual({ app: 'web', env: 'prod' });
  });

  it('replaces a map with $patch: replace', () => {
    const out = patch({ metadata: { labels: { $patch: 'replace', only: 'this' } } });
    expect(out.metadata.labels).toEqual({ only: 'this' });
  });

  it('empties a map with $patch: delete', () => {
    const out = patch({ metadata: { labels: { $patch: 'delete' } } });
    expect(out.metadata.labels).toEqual({});
  });

  it('honours $retainKeys on a union (deployment strategy Recreate)', () => {
    const out = patch({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('refuses a key missing from $retainKeys', () => {
    expect(() =>
      patch({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', other: 1 } } }),
    ).toThrow(/not in \$retainKeys/);
  });

  it('orders a merged list with $setElementOrder', () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
            containers: [{ name: 'app', image: 'z' }],
          },
        },
      },
    });
    expect(containers(out).map((c) => c.name)).toEqual(['sidecar', 'app']);
  });

  it('merges primitive lists with a merge strategy as a set (finalizers)', () => {
    const out = patch({ metadata: { finalizers: ['b', 'a'] } });
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
  });

  it('removes primitives with $deleteFromPrimitiveList', () => {
    const out = patch({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
    expect(out.metadata.finalizers).toEqual([]);
  });

  it('does not mutate the original object', () => {
    const before = JSON.stringify(deployment);
    patch({ spec: { replicas: 5, template: { spec: { containers: [{ name: 'app', image: 'q' }] } } } });
    expect(JSON.stringify(deployment)).toBe(before);
  });

  it('strips directives from elements that are added', () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'n', env: [{ name: 'X', value: '1' }], resources: { $patch: 'replace', limits: {} } },
            ],
          },
        },
      },
    });
    expect(containers(out)[2]).toEqual({
      name: 'n',
      env: [{ name: 'X', value: '1' }],
      resources: { limits: {} },
    });
  });

  it('rejects an element without its merge key with BadRequest', () => {
    const run = () => patch({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } });
    expect(run).toThrow(/does not contain declared merge key: name/);
    try {
      run();
    } catch (err) {
      expect(ApiError.is(err, 'BadRequest')).toBe(true);
    }
  });

  it('rejects a patch that is not an object and an unknown $patch directive', () => {
    expect(() => patch([1, 2])).toThrow(/must be a JSON object/);
    expect(() => patch({ metadata: { labels: { $patch: 'explode' } } })).toThrow(/unknown \$patch directive/);
  });

  it('refuses custom resources with UnsupportedMediaType so kubectl falls back to merge patch', () => {
    const crd = { group: 'example.com', version: 'v1', plural: 'widgets', kind: 'Widget' };
    expect.assertions(1);
    try {
      strategicMergePatch({}, { spec: {} }, crd as never);
    } catch (err) {
      expect(ApiError.is(err, 'UnsupportedMediaType')).toBe(true);
    }
  });

  it('merges pod status conditions by type', () => {
    const pod = {
      kind: 'Pod',
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    };
    const out = strategicMergePatch(
      pod,
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      resources.Pods,
    ) as typeof pod;
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });
});
