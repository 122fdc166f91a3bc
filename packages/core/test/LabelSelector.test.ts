import { describe, expect, it } from '@jest/globals';

import {
  ApiError,
  everything,
  nothing,
  parseLabelSelector,
  selectorFromLabelSelector,
  selectorFromSet,
} from '../src/index.js';

function expectBadRequest(fn: () => unknown, fragment?: string): void {
  try {
    fn();
  } catch (err) {
    expect(ApiError.is(err, 'BadRequest')).toBe(true);
    if (fragment !== undefined) expect((err as ApiError).message).toContain(fragment);
    return;
  }
  throw new Error('expected a BadRequest ApiError');
}

describe('parseLabelSelector', () => {
  // Upstream's TestSelectorParse valid cases, with their canonical String() forms.
  it.each([
    ['', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x', 'x'],
    ['x in (a,b)', 'x in (a,b)'],
    ['x in ( b , a )', 'x in (a,b)'],
    ['x notin (a)', 'x notin (a)'],
    ['x==a', 'x=a'],
    ['z in (),x', 'x,z in ()'],
    ['x in (a,,b)', 'x in (,a,b)'],
    ['example.com/app=web, tier!=db', 'example.com/app=web,tier!=db'],
    ['in=notin', 'in=notin'],
  ])('parses %j to %j', (text, canonical) => {
    expect(parseLabelSelector(text).toString()).toBe(canonical);
  });

  it.each([
    'x=a||y=b',
    'x==a==b',
    '!x=a',
    'x<a',
    'x in (a',
    'x in a',
    'x=a,',
    ',x=a',
    'x notin',
    'x=(a)',
    '-x=a',
    'x=-a',
    'a/b/c=d',
    `x=${'a'.repeat(64)}`,
    'Example.com/a=b',
  ])('rejects %j with BadRequest', (text) => {
    expectBadRequest(() => parseLabelSelector(text));
  });

  it('names the requirement it could not parse', () => {
    expectBadRequest(() => parseLabelSelector('x=-a'), 'unable to parse requirement');
  });

  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['', { x: 'y' }, true],
    ['', undefined, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x', {}, false],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    ['x!=y', {}, true],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x in (a,b)', undefined, false],
    ['x notin (a,b)', { x: 'c' }, true],
    ['x notin (a,b)', {}, true],
    ['x notin (a,b)', { x: 'a' }, false],
    ['x=', { x: '' }, true],
    ['x=', {}, false],
  ])('%j matches %j: %s', (text, labels, expected) => {
    expect(parseLabelSelector(text).matches(labels)).toBe(expected);
  });

  it('exposes sorted requirements', () => {
    const sel = parseLabelSelector('tier in (web, api),app=shop,!canary');
    expect(sel.empty).toBe(false);
    expect(sel.requirements).toEqual([
      { key: 'app', operator: '=', values: ['shop'] },
      { key: 'canary', operator: '!', values: [] },
      { key: 'tier', operator: 'in', values: ['api', 'web'] },
    ]);
    expect(parseLabelSelector('').empty).toBe(true);
  });

  it('round-trips its canonical string', () => {
    const sel = parseLabelSelector('b notin (y,x), a=1, c');
    expect(parseLabelSelector(sel.toString()).toString()).toBe(sel.toString());
  });
});

describe('selectorFromLabelSelector', () => {
  it('treats a missing selector as matching nothing and {} as everything', () => {
    expect(selectorFromLabelSelector(undefined).matches({ a: 'b' })).toBe(false);
    expect(selectorFromLabelSelector(null).matches({})).toBe(false);
    expect(selectorFromLabelSelector({}).matches({ a: 'b' })).toBe(true);
    expect(selectorFromLabelSelector({}).empty).toBe(true);
  });

  it('combines matchLabels and matchExpressions', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'owner', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(sel.toString()).toBe('app=web,env notin (dev),!legacy,owner,tier in (edge,front)');
    expect(sel.matches({ app: 'web', tier: 'edge', owner: 'me' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'edge', owner: 'me', env: 'dev' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'edge', owner: 'me', legacy: 'y' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'back', owner: 'me' })).toBe(false);
  });

  it('rejects a bad operator and bad values as Invalid, naming every field', () => {
    let caught: unknown;
    try {
      selectorFromLabelSelector({
        matchLabels: { 'bad key!': 'x' },
        matchExpressions: [
          { key: 'a', operator: 'Equals', values: ['b'] },
          { key: 'c', operator: 'In', values: [] },
          { key: 'd', operator: 'Exists', values: ['e'] },
        ],
      });
    } catch (err) {
      caught = err;
    }
    expect(ApiError.is(caught, 'Invalid')).toBe(true);
    const fields = (caught as ApiError).details.causes?.map((c) => c.field);
    expect(fields).toEqual([
      'matchLabels[bad key!]',
      'matchExpressions[0].operator',
      'matchExpressions[1]',
      'matchExpressions[2]',
    ]);
  });
});

describe('everything, nothing and selectorFromSet', () => {
  it('behave as their names say', () => {
    expect(everything().matches(undefined)).toBe(true);
    expect(everything().empty).toBe(true);
    expect(nothing().matches({})).toBe(false);
    expect(nothing().empty).toBe(false);
    const sel = selectorFromSet({ b: '2', a: '1' });
    expect(sel.toString()).toBe('a=1,b=2');
    expect(sel.matches({ a: '1', b: '2', c: '3' })).toBe(true);
    expect(sel.matches({ a: '1' })).toBe(false);
    expectBadRequest(() => selectorFromSet({ a: 'not valid' }));
  });
});
