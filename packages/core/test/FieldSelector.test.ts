import { describe, expect, it } from '@jest/globals';

import { ApiError, escapeFieldValue, fieldValue, parseFieldSelector } from '../src/index.js';

describe('parseFieldSelector', () => {
  it.each([
    ['', ''],
    ['spec.nodeName=n1', 'spec.nodeName=n1'],
    ['spec.nodeName==n1', 'spec.nodeName=n1'],
    ['status.phase!=Running,spec.nodeName=n1', 'spec.nodeName=n1,status.phase!=Running'],
    ['metadata.name=a\\,b', 'metadata.name=a\\,b'],
    ['a=\\=\\\\', 'a=\\=\\\\'],
    ['spec.nodeName=', 'spec.nodeName='],
    ['a=b,,c=d', 'a=b,c=d'],
  ])('parses %j to %j', (text, canonical) => {
    expect(parseFieldSelector(text).toString()).toBe(canonical);
  });

  it('unescapes values', () => {
    expect(parseFieldSelector('metadata.name=a\\,b\\=c\\\\d').requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b=c\\d' },
    ]);
    expect(escapeFieldValue('a,b=c\\d')).toBe('a\\,b\\=c\\\\d');
  });

  it.each(['nodeName', 'a=b=c', 'a=\\x', 'a=b\\', 'a'])('rejects %j with BadRequest', (text) => {
    let caught: unknown;
    try {
      parseFieldSelector(text);
    } catch (err) {
      caught = err;
    }
    expect(ApiError.is(caught, 'BadRequest')).toBe(true);
  });

  it('matches with missing fields counting as empty', () => {
    const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    expect(sel.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Running' })).toBe(true);
    expect(sel.matches({ 'spec.nodeName': 'n1' })).toBe(true);
    expect(sel.matches({ 'spec.nodeName': 'n2' })).toBe(false);
    expect(sel.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Failed' })).toBe(false);
    expect(parseFieldSelector('spec.nodeName=').matches({})).toBe(true);
    expect(parseFieldSelector('').empty).toBe(true);
    expect(parseFieldSelector('').matches({ a: 'b' })).toBe(true);
  });
});

describe('fieldValue', () => {
  const pod = {
    metadata: { name: 'p' },
    spec: { nodeName: 'n1', hostNetwork: true, priority: 7 },
    status: {},
  };
  it('reads strings, booleans and numbers by dotted path, empty when absent', () => {
    expect(fieldValue(pod, 'spec.nodeName')).toBe('n1');
    expect(fieldValue(pod, 'spec.hostNetwork')).toBe('true');
    expect(fieldValue({ spec: { hostNetwork: false } }, 'spec.hostNetwork')).toBe('false');
    expect(fieldValue(pod, 'spec.priority')).toBe('7');
    expect(fieldValue(pod, 'status.phase')).toBe('');
    expect(fieldValue(pod, 'spec')).toBe('');
    expect(fieldValue(undefined, 'spec.nodeName')).toBe('');
  });
});
