import { describe, expect, it } from '@jest/globals';

import { checks } from '../../src/strategies/validation/checks.js';
import { FieldPath } from '../../src/strategies/validation/FieldPath.js';
import { fieldError, StringMapValue } from '../../src/strategies/validation/fieldError.js';
import { formats } from '../../src/strategies/validation/formats.js';
import { selectorMatches } from '../../src/strategies/validation/labelSelector.js';
import { semanticEqual } from '../../src/strategies/validation/semanticEqual.js';
import { validateMeta } from '../../src/strategies/validation/validateMeta.js';

describe('FieldPath', () => {
  it('prints children, indexes and keys as Kubernetes does', () => {
    expect(String(FieldPath.of('spec').child('containers').index(0).child('image'))).toBe(
      'spec.containers[0].image',
    );
    expect(String(FieldPath.of('data').key('.dockerconfigjson'))).toBe('data[.dockerconfigjson]');
    expect(String(FieldPath.of('spec', 'template').child('metadata', 'labels'))).toBe(
      'spec.template.metadata.labels',
    );
  });
});

describe('fieldError', () => {
  const p = FieldPath.of('spec', 'x');
  it.each([
    [fieldError.required(p), 'FieldValueRequired', 'Required value'],
    [fieldError.required(p, 'must be set'), 'FieldValueRequired', 'Required value: must be set'],
    [fieldError.invalid(p, 'abc', 'bad'), 'FieldValueInvalid', 'Invalid value: "abc": bad'],
    [
      fieldError.invalid(p, -1, 'must be greater than or equal to 0'),
      'FieldValueInvalid',
      'Invalid value: -1: must be greater than or equal to 0',
    ],
    [
      fieldError.invalid(p, new StringMapValue({ b: '2', a: '1' }), 'no'),
      'FieldValueInvalid',
      'Invalid value: map[string]string{"a":"1", "b":"2"}: no',
    ],
    [
      fieldError.notSupported(p, 'z', ['a', 'b']),
      'FieldValueNotSupported',
      'Unsupported value: "z": supported values: "a", "b"',
    ],
    [fieldError.duplicate(p, 'http'), 'FieldValueDuplicate', 'Duplicate value: "http"'],
    [fieldError.forbidden(p, 'not allowed'), 'FieldValueForbidden', 'Forbidden: not allowed'],
    [fieldError.immutable(p, 'v2'), 'FieldValueInvalid', 'Invalid value: "v2": field is immutable'],
    [fieldError.tooLong(p, 128), 'FieldValueTooLong', 'Too long: may not be more than 128 bytes'],
  ])('%j', (cause, reason, message) => {
    expect(cause).toEqual({ reason, field: 'spec.x', message });
  });
});

describe('formats', () => {
  it.each([
    ['dns1123Label', 'my-name', 0],
    ['dns1123Label', 'My-name', 1],
    ['dns1123Label', 'a'.repeat(64), 1],
    ['dns1123Subdomain', 'example.com', 0],
    ['dns1123Subdomain', 'example..com', 1],
    ['dns1035Label', 'web', 0],
    ['dns1035Label', '1web', 1],
    ['qualifiedName', 'app.kubernetes.io/name', 0],
    ['qualifiedName', 'a/b/c', 1],
    ['qualifiedName', '/name', 1],
    ['qualifiedName', 'Example.com/name', 1],
    ['labelValue', '', 0],
    ['labelValue', 'v1.2_3-x', 0],
    ['labelValue', '-x', 1],
    ['portName', 'http-alt', 0],
    ['portName', '8080', 1],
    ['portName', 'a--b', 1],
    ['envVarName', 'MY_VAR.1', 0],
    ['envVarName', 'A=B', 1],
    ['configMapKey', 'app.properties', 0],
    ['configMapKey', '..hidden', 1],
    ['ip', '10.0.0.1', 0],
    ['ip', 'fd00::1', 0],
    ['ip', '10.0.0', 1],
    ['percent', '25%', 0],
    ['percent', '25', 1],
    ['pathSegmentName', 'a/b', 1],
  ] as [keyof typeof formats, string, number][])('%s(%j) has %d errors', (format, value, count) => {
    expect(formats[format](value)).toHaveLength(count);
  });
});

describe('checks', () => {
  const p = FieldPath.of('n');
  it('range, oneOf and immutable checks', () => {
    expect(checks.port(0, p)).toEqual([fieldError.invalid(p, 0, 'must be between 1 and 65535, inclusive')]);
    expect(checks.port(443, p)).toEqual([]);
    expect(checks.atLeast(undefined, 0, p)).toEqual([]);
    expect(checks.atLeast('3', 0, p)).toEqual([fieldError.invalid(p, '3', 'must be an integer')]);
    expect(checks.oneOf('', ['a'], p, true)).toEqual([fieldError.required(p)]);
    expect(checks.immutable(['a'], ['a'], p)).toEqual([]);
    expect(checks.immutable('b', 'a', p)).toEqual([fieldError.immutable(p, 'b')]);
  });
});

describe('semanticEqual', () => {
  it('treats absent, null and empty lists alike but not different values', () => {
    expect(semanticEqual({ a: [], b: null }, {})).toBe(true);
    expect(semanticEqual({ a: [1] }, { a: [1] })).toBe(true);
    expect(semanticEqual({ a: [1] }, { a: [2] })).toBe(false);
    expect(semanticEqual({ a: {} }, {})).toBe(false);
  });
});

describe('selectorMatches', () => {
  it('implements matchLabels and every expression operator', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, labels),
    ).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels),
    ).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels)).toBe(
      true,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels)).toBe(false);
  });
});

describe('validateMeta', () => {
  it('requires a name or generateName and checks annotations and finalizers', () => {
    expect(validateMeta({}, 'dns1123Subdomain')).toEqual([
      fieldError.required('metadata.name', 'name or generateName is required'),
    ]);
    expect(validateMeta({ generateName: 'web-' }, 'dns1123Subdomain')).toEqual([]);
    const causes = validateMeta(
      {
        name: 'x',
        annotations: { big: 'v'.repeat(256 * 1024) },
        finalizers: ['orphan', 'foregroundDeletion'],
      },
      'dns1123Subdomain',
    );
    expect(causes).toEqual([
      fieldError.tooLarge('metadata.annotations', 262144),
      fieldError.invalid(
        'metadata.finalizers',
        ['orphan', 'foregroundDeletion'],
        'finalizer orphan and foregroundDeletion cannot be both set',
      ),
    ]);
  });
});
