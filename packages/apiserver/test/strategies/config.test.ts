import { describe, expect, it } from '@jest/globals';
import type { corev1 } from '@tugboat/core';

import { configMapStrategy } from '../../src/strategies/configmap/configMapStrategy.js';
import { secretStrategy } from '../../src/strategies/secret/secretStrategy.js';
import { serviceAccountStrategy } from '../../src/strategies/serviceaccount/serviceAccountStrategy.js';
import { clone, create, update } from './helpers.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const meta = { name: 'creds', namespace: 'default' };

describe('secrets', () => {
  it('defaults type to Opaque and merges stringData into data', () => {
    const s: corev1.Secret = { metadata: meta, data: { a: b64('1') }, stringData: { b: 'two' } };
    expect(create(secretStrategy, s)).toEqual([]);
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ a: b64('1'), b: b64('two') });
    expect(s.stringData).toBeUndefined();
  });

  it('validates keys and base64 values', () => {
    const s: corev1.Secret = { metadata: meta, data: { 'bad key': b64('x'), good: 'not base64!' } };
    expect(create(secretStrategy, s)).toEqual([
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      'data[good]: Invalid value: "<secret contents redacted>": must be base64-encoded',
    ]);
  });

  it('requires valid JSON under .dockerconfigjson for docker config secrets', () => {
    const missing: corev1.Secret = { metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: {} };
    expect(create(secretStrategy, missing)).toEqual(['data[.dockerconfigjson]: Required value']);
    const broken: corev1.Secret = {
      metadata: meta,
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64('{oops') },
    };
    const causes = create(secretStrategy, broken);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(/^data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>": /);
    const good: corev1.Secret = {
      metadata: meta,
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64('{"auths":{}}') },
    };
    expect(create(secretStrategy, good)).toEqual([]);
  });

  it('requires the keys of TLS and service account token secrets', () => {
    expect(
      create(secretStrategy, { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }),
    ).toEqual(['data[tls.key]: Required value']);
    expect(create(secretStrategy, { metadata: meta, type: 'kubernetes.io/service-account-token' })).toEqual([
      'metadata.annotations[kubernetes.io/service-account.name]: Required value',
    ]);
  });

  it('keeps type immutable and data immutable once immutable is set', () => {
    const old: corev1.Secret = { metadata: meta, data: { a: b64('1') }, immutable: true };
    create(secretStrategy, old);
    const next = clone(old);
    next.type = 'kubernetes.io/basic-auth';
    next.data = { username: b64('u') };
    expect(update(secretStrategy, next, old)).toEqual([
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    const unset = clone(old);
    unset.immutable = false;
    expect(update(secretStrategy, unset, old)).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
  });

  it('exposes type as a selectable field', () => {
    const s: corev1.Secret = { metadata: meta };
    create(secretStrategy, s);
    expect(secretStrategy.fieldsOf?.(s)).toEqual({ type: 'Opaque' });
  });
});

describe('configmaps', () => {
  it('accepts valid data and binaryData', () => {
    expect(
      create(configMapStrategy, {
        metadata: meta,
        data: { 'app.conf': 'x=1' },
        binaryData: { logo: b64('png') },
      }),
    ).toEqual([]);
  });

  it('rejects bad keys and keys present in both data and binaryData', () => {
    expect(
      create(configMapStrategy, {
        metadata: meta,
        data: { '..': 'x', dup: 'a' },
        binaryData: { dup: b64('b') },
      }),
    ).toEqual([
      'data[..]: Invalid value: "..": must not be \'..\'',
      'data[dup]: Invalid value: "dup": duplicate of key present in binaryData',
    ]);
  });

  it('requires binaryData to be base64', () => {
    expect(create(configMapStrategy, { metadata: meta, binaryData: { blob: '%%%' } })).toEqual([
      'binaryData[blob]: Invalid value: "<binary data>": must be base64-encoded',
    ]);
  });

  it('caps the total size at 1 MiB', () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    expect(create(configMapStrategy, { metadata: meta, data: { big } })).toEqual([
      'Too long: must have at most 1048576 bytes',
    ]);
  });

  it('refuses data changes once immutable', () => {
    const old: corev1.ConfigMap = { metadata: meta, data: { a: '1' }, immutable: true };
    const next = clone(old);
    next.data = { a: '2' };
    expect(update(configMapStrategy, next, old)).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});

describe('serviceaccounts', () => {
  it('validates the name', () => {
    expect(create(serviceAccountStrategy, { metadata: { name: 'builder', namespace: 'ci' } })).toEqual([]);
    const causes = create(serviceAccountStrategy, { metadata: { name: 'Builder', namespace: 'ci' } });
    expect(causes[0]).toMatch(/^metadata\.name: Invalid value: "Builder": a lowercase RFC 1123 subdomain/);
  });
});
