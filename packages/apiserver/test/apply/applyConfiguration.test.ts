import { describe, expect, it } from '@jest/globals';
import { ApiError, type KubeObject } from '@tugboat/core';

import { applyConfiguration, compareObjects, formatPath, type ApplyOptions } from '../../src/index.js';

const opts = (manager: string, rootType: string, force = false): ApplyOptions => ({
  manager,
  force,
  apiVersion: 'v1',
  rootType,
  time: '2026-11-27T12:00:00Z',
});

describe('applyConfiguration', () => {
  it('keys Service ports by port and protocol, defaulting the protocol to TCP', () => {
    const svc = (ports: unknown[]): Record<string, unknown> => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports },
    });
    const first = applyConfiguration(undefined, svc([{ port: 80, name: 'http' }]), opts('a', 'Service'));
    const both = applyConfiguration(
      first,
      svc([{ port: 80, protocol: 'UDP', name: 'dns' }]),
      opts('b', 'Service'),
    );
    expect((both as { spec: { ports: unknown[] } }).spec.ports).toEqual([
      { port: 80, name: 'http' },
      { port: 80, protocol: 'UDP', name: 'dns' },
    ]);
    expect(JSON.stringify(both.metadata?.managedFields?.[0]?.fieldsV1)).toContain(
      'k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}',
    );
  });

  it('treats custom resource lists as atomic: a changed list conflicts whole', () => {
    const widget = (items: unknown[], size?: number): Record<string, unknown> => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { items, ...(size !== undefined ? { size } : {}) },
    });
    const live = applyConfiguration(undefined, widget([{ a: 1 }], 1), opts('a', 'Generic'));
    let err: unknown;
    try {
      applyConfiguration(live, widget([{ a: 1 }, { b: 2 }]), opts('b', 'Generic'));
    } catch (e) {
      err = e;
    }
    expect(ApiError.is(err, 'Conflict')).toBe(true);
    expect((err as ApiError).details.causes?.map((c) => c.field)).toEqual(['.spec.items']);
    const forced = applyConfiguration(live, widget([{ b: 2 }]), opts('b', 'Generic', true)) as {
      spec: { items: unknown[]; size: number };
    } & KubeObject;
    expect(forced.spec).toEqual({ items: [{ b: 2 }], size: 1 });
  });

  it('lists every conflicting field, grouped by manager, in the message', () => {
    const cm = (data: Record<string, string>): Record<string, unknown> => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data,
    });
    const live = applyConfiguration(undefined, cm({ a: '1', b: '1' }), opts('one', 'ConfigMap'));
    expect(() => applyConfiguration(live, cm({ a: '2', b: '2' }), opts('two', 'ConfigMap'))).toThrow(
      'Apply failed with 2 conflicts: conflicts with "one":\n- .data.a\n- .data.b',
    );
  });

  it('compares objects field by field for Update ownership', () => {
    const before = {
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '1' },
        ],
      },
    };
    const after = {
      spec: {
        containers: [
          { name: 'a', image: '2' },
          { name: 'c', image: '1' },
        ],
      },
    };
    const { changed, removed } = compareObjects(before, after, 'Pod');
    expect(changed.paths().map(formatPath).sort()).toEqual([
      '.spec.containers[name="a"].image',
      '.spec.containers[name="c"]',
      '.spec.containers[name="c"].image',
      '.spec.containers[name="c"].name',
    ]);
    expect(removed.paths().map(formatPath)).toContain('.spec.containers[name="b"]');
  });
});
