import { describe, expect, it } from '@jest/globals';
import { ApiError } from '@tugboat/core';

import { FieldSet, fieldsOf, formatPath } from '../../src/index.js';

const podFields = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:containers': {
      'k:{"name":"app"}': {
        '.': {},
        'f:image': {},
        'f:name': {},
        'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
      },
    },
  },
};

describe('FieldSet', () => {
  it('round-trips FieldsV1 JSON, with "." marking an item that has fields below it', () => {
    const set = FieldSet.fromFieldsV1(podFields);
    expect(set.toFieldsV1()).toEqual(podFields);
    expect(set.has(['f:spec', 'f:containers', 'k:{"name":"app"}'])).toBe(true);
    expect(set.has(['f:spec', 'f:containers'])).toBe(false);
    expect(set.paths().map(formatPath)).toContain('.spec.containers[name="app"].image');
    expect(
      formatPath([
        'f:spec',
        'f:containers',
        'k:{"name":"app"}',
        'f:ports',
        'k:{"containerPort":80,"protocol":"TCP"}',
      ]),
    ).toBe('.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"]');
  });

  it('computes union, intersection and difference by membership', () => {
    const a = FieldSet.fromPaths([
      ['f:spec', 'f:replicas'],
      ['f:metadata', 'f:labels', 'f:app'],
    ]);
    const b = FieldSet.fromPaths([
      ['f:spec', 'f:replicas'],
      ['f:spec', 'f:paused'],
    ]);
    expect(a.union(b).paths().map(formatPath).sort()).toEqual([
      '.metadata.labels.app',
      '.spec.paused',
      '.spec.replicas',
    ]);
    expect(a.intersection(b).paths().map(formatPath)).toEqual(['.spec.replicas']);
    expect(a.difference(b).paths().map(formatPath)).toEqual(['.metadata.labels.app']);
    expect(a.difference(a).isEmpty()).toBe(true);
    expect(a.union(FieldSet.empty).equals(a)).toBe(true);
  });

  it('refuses malformed FieldsV1 with a BadRequest naming it', () => {
    expect(() => FieldSet.fromFieldsV1({ 'x:bad': {} })).toThrow(/invalid path element "x:bad"/);
    expect(() => FieldSet.fromFieldsV1({ 'k:{nope': {} })).toThrow(ApiError);
    expect(() => FieldSet.fromFieldsV1([])).toThrow(/must be an object/);
  });

  it('walks a built-in object by its list types: keyed maps, sets, atomic lists', () => {
    const set = fieldsOf(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default', labels: { app: 'p' }, finalizers: ['a/b'] },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'busybox',
              command: ['sh', '-c'],
              ports: [{ containerPort: 80 }],
              env: [{ name: 'A', value: '1' }],
            },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
      'Pod',
      true,
    );
    const paths = set.paths().map(formatPath);
    expect(paths).toEqual(
      expect.arrayContaining([
        '.metadata.labels.app',
        '.metadata.finalizers[="a/b"]',
        '.spec.containers[name="app"]',
        '.spec.containers[name="app"].command',
        '.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"]',
        '.spec.containers[name="app"].env[name="A"].value',
        '.spec.tolerations',
      ]),
    );
    // Identity and server-set metadata belong to no manager.
    expect(paths).not.toContain('.metadata.name');
    expect(paths).not.toContain('.apiVersion');
  });

  it('treats lists of custom resources as atomic and their maps as granular', () => {
    const paths = fieldsOf({ spec: { items: [{ a: 1 }], nested: { x: 1 } } }, 'Generic', true)
      .paths()
      .map(formatPath);
    expect(paths.sort()).toEqual(['.spec.items', '.spec.nested.x']);
  });

  it('refuses an applied list item without its key, or duplicated, in strict mode only', () => {
    const bad = { spec: { containers: [{ image: 'x' }] } };
    expect(() => fieldsOf(bad, 'Pod', true)).toThrow(/omits key field "name"/);
    expect(fieldsOf(bad, 'Pod').paths().map(formatPath)).toEqual(['.spec.containers']);
    const dup = { spec: { containers: [{ name: 'a' }, { name: 'a' }] } };
    expect(() => fieldsOf(dup, 'Pod', true)).toThrow(/duplicate entries/);
  });
});
