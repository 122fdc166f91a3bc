import { describe, expect, it } from '@jest/globals';

import { IndexedCache, builtinIndexes } from '../src/informer/IndexedCache.js';
import type { corev1 } from '../src/index.js';

const pod = (name: string, nodeName: string | undefined, owners: string[] = [], labels = {}): corev1.Pod => ({
  metadata: {
    name,
    namespace: 'default',
    labels,
    ownerReferences: owners.map((uid) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid })),
  },
  spec: { containers: [], ...(nodeName !== undefined ? { nodeName } : {}) },
});

const names = (pods: readonly corev1.Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '').sort();

describe('IndexedCache updates', () => {
  it('moves an object between index values only where its values changed', () => {
    const cache = new IndexedCache<corev1.Pod>();
    cache.addIndex('app', (p) => [p.metadata?.labels?.['app'] ?? 'none']);
    cache.upsert(pod('a', undefined, ['rs1'], { app: 'web' }));
    cache.upsert(pod('b', undefined, ['rs1'], { app: 'web' }));
    expect(names(cache.byIndex(builtinIndexes.nodeName, ''))).toEqual(['a', 'b']);

    // A binding: only the node index changes; the others keep the object.
    const old = cache.upsert(pod('a', 'n1', ['rs1'], { app: 'web' }));
    expect(old?.spec?.nodeName).toBeUndefined();
    expect(names(cache.byIndex(builtinIndexes.nodeName, ''))).toEqual(['b']);
    expect(names(cache.byIndex(builtinIndexes.nodeName, 'n1'))).toEqual(['a']);
    expect(names(cache.byIndex(builtinIndexes.ownerUid, 'rs1'))).toEqual(['a', 'b']);
    expect(names(cache.byIndex('app', 'web'))).toEqual(['a', 'b']);
    expect(cache.byIndex('app', 'web').find((p) => p.metadata?.name === 'a')?.spec?.nodeName).toBe('n1');

    // Adopted by another owner, relabelled, and an owner listed twice: no stale or lost entries.
    cache.upsert(pod('a', 'n1', ['rs2', 'rs2'], { app: 'db' }));
    expect(names(cache.byIndex(builtinIndexes.ownerUid, 'rs1'))).toEqual(['b']);
    expect(names(cache.byIndex(builtinIndexes.ownerUid, 'rs2'))).toEqual(['a']);
    expect(names(cache.byIndex('app', 'web'))).toEqual(['b']);
    expect(names(cache.byIndex('app', 'db'))).toEqual(['a']);

    cache.remove('default/a');
    expect(cache.byIndex(builtinIndexes.ownerUid, 'rs2')).toEqual([]);
    expect(cache.byIndex(builtinIndexes.nodeName, 'n1')).toEqual([]);
    expect(cache.byIndex('app', 'db')).toEqual([]);
  });
});
