import { describe, expect, it } from '@jest/globals';
import { ApiError, type corev1 } from '@tugboat/core';

import {
  BootstrapTokenAuthenticator,
  bootstrapTokenSecret,
  formatBootstrapToken,
  generateBootstrapToken,
  parseBootstrapToken,
} from '../src/index.js';

const now = new Date('2026-11-27T09:00:00Z');

function authenticatorFor(...secrets: corev1.Secret[]): BootstrapTokenAuthenticator {
  return new BootstrapTokenAuthenticator(
    (id) => Promise.resolve(secrets.find((s) => s.metadata?.name === `bootstrap-token-${id}`)),
    () => now,
  );
}

describe('bootstrap tokens', () => {
  it('generates <6>.<16> tokens of [a-z0-9] that parse back, and refuses other shapes', () => {
    const token = generateBootstrapToken();
    const text = formatBootstrapToken(token);
    expect(text).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(parseBootstrapToken(text)).toEqual(token);
    expect(generateBootstrapToken()).not.toEqual(token);
    for (const bad of [
      'abcdef.0123456789abcde',
      'ABCDEF.0123456789abcdef',
      'abcdef0123456789abcdef',
      'abc.def',
    ]) {
      expect(parseBootstrapToken(bad)).toBeUndefined();
    }
  });

  it('stands for a token as a kube-system/bootstrap-token-<id> Secret with usages and an expiration', () => {
    const secret = bootstrapTokenSecret(
      { id: 'abcdef', secret: '0123456789abcdef' },
      {
        ttlMs: 24 * 3600_000,
        now,
        extraGroups: ['system:bootstrappers:workers'],
        description: 'for workers',
      },
    );
    expect(secret.metadata).toEqual({ name: 'bootstrap-token-abcdef', namespace: 'kube-system' });
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    expect(data).toEqual({
      'token-id': 'abcdef',
      'token-secret': '0123456789abcdef',
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:workers',
      description: 'for workers',
      expiration: '2026-11-28T09:00:00Z',
    });
    expect(() =>
      bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef' }, { extraGroups: ['system:masters'] }),
    ).toThrow(ApiError);
  });

  it('authenticates a valid token as system:bootstrap:<id> in system:bootstrappers and its extra groups', async () => {
    const token = { id: 'abcdef', secret: '0123456789abcdef' };
    const auth = authenticatorFor(
      bootstrapTokenSecret(token, { ttlMs: 3600_000, now, extraGroups: ['system:bootstrappers:workers'] }),
    );
    await expect(auth.authenticateToken('abcdef.0123456789abcdef')).resolves.toEqual({
      name: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:workers'],
    });
  });

  it('leaves tokens of another shape to other authenticators', async () => {
    await expect(
      authenticatorFor().authenticateToken('eyJhbGciOiJFUzI1NiJ9.e30.sig'),
    ).resolves.toBeUndefined();
  });

  it('refuses unknown, wrong, expired and non-authentication tokens with Unauthorized', async () => {
    const token = { id: 'abcdef', secret: '0123456789abcdef' };
    const expired = bootstrapTokenSecret(
      { id: 'expire', secret: '0123456789abcdef' },
      { ttlMs: 1000, now: new Date(now.getTime() - 5000) },
    );
    const signingOnly = bootstrapTokenSecret(
      { id: 'signer', secret: '0123456789abcdef' },
      { usages: ['signing'] },
    );
    const wrongType: corev1.Secret = {
      ...bootstrapTokenSecret({ id: 'opaque', secret: '0123456789abcdef' }),
      type: 'Opaque',
    };
    const auth = authenticatorFor(bootstrapTokenSecret(token), expired, signingOnly, wrongType);
    for (const bad of [
      'abcdef.0123456789abcdeg',
      'zzzzzz.0123456789abcdef',
      'expire.0123456789abcdef',
      'signer.0123456789abcdef',
      'opaque.0123456789abcdef',
    ]) {
      await expect(auth.authenticateToken(bad)).rejects.toMatchObject({ code: 'Unauthorized' });
    }
  });
});
