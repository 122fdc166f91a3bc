import { expect, it } from '@jest/globals';

import { expectApiError, type StoreCaseContext } from './storeHelpers.js';

/** Create, get, update and delete, with and without preconditions, and key validation. */
export function crudCases(ctx: () => StoreCaseContext): void {
  it('starts empty: currentRevision is a non-negative integer and nothing is listed', async () => {
    const { store } = ctx();
    const revision = await store.currentRevision();
    expect(Number.isSafeInteger(revision) && revision >= 0).toBe(true);
    const all = await store.list('/');
    expect(all.items).toEqual([]);
    expect(all.revision).toBe(revision);
  });

  it('create returns the value with createRevision = modRevision above the previous revision', async () => {
    const { store } = ctx();
    const before = await store.currentRevision();
    const kv = await store.create('/c/one', 'hello');
    expect(kv).toEqual({
      key: '/c/one',
      value: 'hello',
      createRevision: kv.modRevision,
      modRevision: kv.modRevision,
    });
    expect(kv.modRevision).toBeGreaterThan(before);
    expect(await store.currentRevision()).toBe(kv.modRevision);
  });

  it('get returns the created value; a missing key is undefined', async () => {
    const { store } = ctx();
    const kv = await store.create('/g/a', 'A');
    expect(await store.get('/g/a')).toEqual(kv);
    expect(await store.get('/g/b')).toBeUndefined();
    expect(await store.get('/g/')).toBeUndefined();
  });

  it('create of an existing key fails with AlreadyExists and changes nothing', async () => {
    const { store } = ctx();
    const kv = await store.create('/c/dup', 'first');
    const revision = await store.currentRevision();
    await expectApiError(() => store.create('/c/dup', 'second'), 'AlreadyExists');
    expect(await store.get('/c/dup')).toEqual(kv);
    expect(await store.currentRevision()).toBe(revision);
  });

  it('update with the current revision replaces the value, keeps createRevision and bumps modRevision', async () => {
    const { store } = ctx();
    const created = await store.create('/u/a', 'v1');
    const updated = await store.update('/u/a', 'v2', created.modRevision);
    expect(updated.value).toBe('v2');
    expect(updated.createRevision).toBe(created.createRevision);
    expect(updated.modRevision).toBeGreaterThan(created.modRevision);
    expect(await store.get('/u/a')).toEqual(updated);
  });

  it('update with a stale revision fails with Conflict and changes nothing', async () => {
    const { store } = ctx();
    const created = await store.create('/u/cas', 'v1');
    const current = await store.update('/u/cas', 'v2', created.modRevision);
    await expectApiError(() => store.update('/u/cas', 'v3', created.modRevision), 'Conflict');
    await expectApiError(() => store.update('/u/cas', 'v3', current.modRevision + 1000), 'Conflict');
    expect(await store.get('/u/cas')).toEqual(current);
  });

  it('update of a missing key fails with NotFound and creates nothing', async () => {
    const { store } = ctx();
    await expectApiError(() => store.update('/u/missing', 'x', 1), 'NotFound');
    expect(await store.get('/u/missing')).toBeUndefined();
  });

  it('update of a deleted key fails with NotFound', async () => {
    const { store } = ctx();
    const created = await store.create('/u/gone', 'x');
    await store.delete('/u/gone');
    await expectApiError(() => store.update('/u/gone', 'y', created.modRevision), 'NotFound');
    expect(await store.get('/u/gone')).toBeUndefined();
  });

  it('delete without a precondition returns the last value at the deletion revision', async () => {
    const { store } = ctx();
    const created = await store.create('/d/a', 'last words');
    const deleted = await store.delete('/d/a');
    expect(deleted.key).toBe('/d/a');
    expect(deleted.value).toBe('last words');
    expect(deleted.createRevision).toBe(created.createRevision);
    expect(deleted.modRevision).toBeGreaterThan(created.modRevision);
    expect(await store.currentRevision()).toBe(deleted.modRevision);
    expect(await store.get('/d/a')).toBeUndefined();
  });

  it('delete with the current revision succeeds', async () => {
    const { store } = ctx();
    const created = await store.create('/d/cas', 'x');
    const updated = await store.update('/d/cas', 'y', created.modRevision);
    const deleted = await store.delete('/d/cas', updated.modRevision);
    expect(deleted.value).toBe('y');
    expect(await store.get('/d/cas')).toBeUndefined();
  });

  it('delete with a stale revision fails with Conflict and keeps the key', async () => {
    const { store } = ctx();
    const created = await store.create('/d/stale', 'x');
    const updated = await store.update('/d/stale', 'y', created.modRevision);
    await expectApiError(() => store.delete('/d/stale', created.modRevision), 'Conflict');
    expect(await store.get('/d/stale')).toEqual(updated);
  });

  it('delete of a missing key fails with NotFound', async () => {
    const { store } = ctx();
    const revision = await store.currentRevision();
    await expectApiError(() => store.delete('/d/missing'), 'NotFound');
    await expectApiError(() => store.delete('/d/missing', 1), 'NotFound');
    expect(await store.currentRevision()).toBe(revision);
  });

  it('a deleted key can be created again, with a new createRevision', async () => {
    const { store } = ctx();
    const first = await store.create('/d/again', 'one');
    await store.delete('/d/again');
    const second = await store.create('/d/again', 'two');
    expect(second.createRevision).toBeGreaterThan(first.createRevision);
    expect(second.createRevision).toBe(second.modRevision);
    expect(await store.get('/d/again')).toEqual(second);
  });

  it('revisions strictly increase across keys and currentRevision tracks every write', async () => {
    const { store } = ctx();
    let last = await store.currentRevision();
    for (let i = 0; i < 20; i++) {
      const key = `/r/${i % 4}`;
      const existing = await store.get(key);
      const kv =
        existing === undefined
          ? await store.create(key, `v${i}`)
          : i % 5 === 0
            ? await store.delete(key, existing.modRevision)
            : await store.update(key, `v${i}`, existing.modRevision);
      expect(kv.modRevision).toBeGreaterThan(last);
      expect(await store.currentRevision()).toBe(kv.modRevision);
      last = kv.modRevision;
    }
  });

  it('keeps createRevision across many updates', async () => {
    const { store } = ctx();
    let kv = await store.create('/k/c', '0');
    const createRevision = kv.createRevision;
    for (let i = 1; i <= 10; i++) {
      kv = await store.update('/k/c', String(i), kv.modRevision);
      expect(kv.createRevision).toBe(createRevision);
    }
    expect((await store.get('/k/c'))?.createRevision).toBe(createRevision);
  });

  it('failed writes do not advance the revision', async () => {
    const { store } = ctx();
    const kv = await store.create('/f/a', 'x');
    const revision = await store.currentRevision();
    await expectApiError(() => store.create('/f/a', 'y'), 'AlreadyExists');
    await expectApiError(() => store.update('/f/a', 'y', kv.modRevision - 1), 'Conflict');
    await expectApiError(() => store.update('/f/b', 'y', kv.modRevision), 'NotFound');
    await expectApiError(() => store.delete('/f/b'), 'NotFound');
    await expectApiError(() => store.create('', 'y'), 'Invalid');
    expect(await store.currentRevision()).toBe(revision);
  });

  it('an empty key is Invalid for every operation', async () => {
    const { store } = ctx();
    await expectApiError(() => store.get(''), 'Invalid');
    await expectApiError(() => store.create('', 'x'), 'Invalid');
    await expectApiError(() => store.update('', 'x', 1), 'Invalid');
    await expectApiError(() => store.delete(''), 'Invalid');
    expect((await store.list('')).items).toEqual([]);
  });

  it('keys with NUL or lone surrogates and values that are not well-formed strings are Invalid', async () => {
    const { store } = ctx();
    const revision = await store.currentRevision();
    await expectApiError(() => store.create('/bad/\u0000nul', 'x'), 'Invalid');
    await expectApiError(() => store.create('/bad/\ud800lone', 'x'), 'Invalid');
    await expectApiError(() => store.create('/bad/value', 'lone \udc00 surrogate'), 'Invalid');
    await expectApiError(() => store.create('/bad/value', 42 as unknown as string), 'Invalid');
    await expectApiError(() => store.create(7 as unknown as string, 'x'), 'Invalid');
    const kv = await store.create('/bad/value', 'good');
    await expectApiError(() => store.update('/bad/value', '\udc00', kv.modRevision), 'Invalid');
    expect(await store.get('/bad/value')).toEqual(kv);
    expect((await store.list('/bad/')).items).toEqual([kv]);
    expect(await store.currentRevision()).toBe(kv.modRevision);
    expect(kv.modRevision).toBeGreaterThan(revision);
  });
}
