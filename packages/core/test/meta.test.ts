import { describe, expect, it } from '@jest/globals';

import {
  ApiError,
  addFinalizer,
  controllerOf,
  getCondition,
  hasFinalizer,
  isBeingDeleted,
  objectKey,
  ownerReferenceTo,
  removeFinalizer,
  resources,
  setCondition,
  splitKey,
  type appsv1,
  type corev1,
  type metav1,
} from '../src/index.js';

describe('object keys', () => {
  it('joins namespace and name, and splits them back', () => {
    expect(objectKey({ metadata: { namespace: 'ns', name: 'a' } })).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(objectKey({ namespace: 'ns', name: 'b' })).toBe('ns/b');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('node-1')).toEqual({ name: 'node-1' });
    expect(() => splitKey('a/b/c')).toThrow(ApiError);
  });
});

describe('owner references', () => {
  const rs: appsv1.ReplicaSet = { metadata: { name: 'web-1', namespace: 'ns', uid: 'u-1' } };
  it('points at the owner with its definition', () => {
    const ref = ownerReferenceTo(rs, resources.ReplicaSets, { controller: true, blockOwnerDeletion: true });
    expect(ref).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-1',
      uid: 'u-1',
      controller: true,
      blockOwnerDeletion: true,
    });
    const pod: corev1.Pod = {
      metadata: { name: 'p', ownerReferences: [{ ...ref, controller: false, uid: 'x' }, ref] },
    };
    expect(controllerOf(pod)?.uid).toBe('u-1');
    expect(controllerOf({ metadata: { name: 'lonely' } })).toBeUndefined();
  });
});

describe('finalizers and deletion', () => {
  it('adds and removes without mutating', () => {
    const obj: corev1.ConfigMap = { metadata: { name: 'c', finalizers: ['a'] } };
    const added = addFinalizer(obj, 'b');
    expect(added.metadata?.finalizers).toEqual(['a', 'b']);
    expect(obj.metadata?.finalizers).toEqual(['a']);
    expect(addFinalizer(added, 'b')).toBe(added);
    expect(hasFinalizer(added, 'b')).toBe(true);
    const removed = removeFinalizer(added, 'a');
    expect(removed.metadata?.finalizers).toEqual(['b']);
    expect(removeFinalizer(removed, 'zzz')).toBe(removed);
    expect(isBeingDeleted(obj)).toBe(false);
    expect(isBeingDeleted({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } })).toBe(true);
  });
});

describe('conditions', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:05:00Z');
  it('keeps lastTransitionTime while the status is unchanged', () => {
    let conds: metav1.Condition[] = [];
    conds = setCondition(
      conds,
      { type: 'Ready', status: 'False', reason: 'Starting', message: '', lastTransitionTime: '' },
      t0,
    );
    expect(getCondition(conds, 'Ready')?.lastTransitionTime).toBe('');
    conds = setCondition(
      conds,
      { type: 'Ready', status: 'False', reason: 'Starting', message: '' } as metav1.Condition,
      t0,
    );
    conds = setCondition(
      conds,
      { type: 'Ready', status: 'True', reason: 'Up', message: 'ok' } as metav1.Condition,
      t0,
    );
    expect(getCondition(conds, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    const same = setCondition(
      conds,
      { type: 'Ready', status: 'True', reason: 'Up', message: 'ok' } as metav1.Condition,
      t1,
    );
    expect(same).toBe(conds);
    const reworded = setCondition(
      conds,
      { type: 'Ready', status: 'True', reason: 'Up', message: 'fine' } as metav1.Condition,
      t1,
    );
    expect(getCondition(reworded, 'Ready')).toMatchObject({
      message: 'fine',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    const flipped = setCondition(
      reworded,
      { type: 'Ready', status: 'False', reason: 'Down', message: '' } as metav1.Condition,
      t1,
    );
    expect(getCondition(flipped, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    expect(getCondition(flipped, 'Other')).toBeUndefined();
  });

  it('appends new types after existing ones', () => {
    const conds = setCondition(
      setCondition(undefined, { type: 'A', status: 'True' }, t0),
      { type: 'B', status: 'Unknown' },
      t0,
    );
    expect(conds.map((c) => c.type)).toEqual(['A', 'B']);
  });
});
