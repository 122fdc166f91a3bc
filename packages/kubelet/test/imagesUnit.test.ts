import { describe, expect, it } from '@jest/globals';
import {
  imagePullError,
  imagePullReason,
  type AuthConfig,
  type EventRecorder,
  type corev1,
} from '@tugboat/core';
import { FakeRuntime, ManualClock } from '@tugboat/runtime-fake';

import { DockerKeyring, urlsMatch } from '../src/images/DockerKeyring.js';
import { goDuration } from '../src/images/goDuration.js';
import { ImageManager, repositoryOf } from '../src/images/ImageManager.js';
import { ImagePuller } from '../src/images/ImagePuller.js';
import { podKeyring, type PullSecretSources } from '../src/images/pullSecrets.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function dockerConfigSecret(
  name: string,
  auths: Record<string, unknown>,
  type = 'kubernetes.io/dockerconfigjson',
): corev1.Secret {
  return {
    metadata: { name, namespace: 'default' },
    type,
    data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
  };
}

function sourcesOf(secrets: corev1.Secret[], sa?: corev1.ServiceAccount): PullSecretSources {
  return {
    getSecret: (_ns, name) => Promise.resolve(secrets.find((s) => s.metadata?.name === name)),
    getServiceAccount: (_ns, name) => Promise.resolve(sa?.metadata?.name === name ? sa : undefined),
  };
}

function pod(pullSecrets: string[] = [], serviceAccountName?: string): corev1.Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: {
      containers: [{ name: 'c', image: 'x' }],
      imagePullSecrets: pullSecrets.map((name) => ({ name })),
      ...(serviceAccountName ? { serviceAccountName } : {}),
    },
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A fake runtime whose pulls wait for the test's go-ahead and record the credentials they got. */
class GatedRuntime extends FakeRuntime {
  readonly calls: { image: string; auth: AuthConfig | undefined }[] = [];
  readonly gates = new Map<string, Deferred<undefined>>();
  /** Credentials the "registry" accepts; undefined: anything, including anonymous. */
  accept: AuthConfig | undefined;

  override async pullImage(image: string, auth?: AuthConfig): Promise<string> {
    this.calls.push({ image, auth });
    await this.gates.get(image)?.promise;
    if (this.accept && (auth?.username !== this.accept.username || auth?.password !== this.accept.password))
      throw imagePullError(
        image,
        'Unauthorized',
        `unexpected status from GET request: 401 Unauthorized (as ${auth?.username ?? 'anonymous'})`,
      );
    return super.pullImage(image);
  }
}

function recorder(): { recorder: EventRecorder; events: string[] } {
  const events: string[] = [];
  const rec = {
    event: (_o: unknown, type: string, reason: string, message: string) =>
      events.push(`${type} ${reason}: ${message}`),
  };
  return { recorder: rec as unknown as EventRecorder, events };
}

describe('DockerKeyring (upstream credential provider matching)', () => {
  it('matches host:port exactly and the key path as a prefix of the repository', () => {
    expect(urlsMatch('127.0.0.1:5000', '127.0.0.1:5000/team/app')).toBe(true);
    expect(urlsMatch('127.0.0.1:5000', '127.0.0.1:5001/team/app')).toBe(false);
    expect(urlsMatch('127.0.0.1:5000', '127.0.0.1/team/app')).toBe(false);
    expect(urlsMatch('registry.example.com/team', 'registry.example.com/team/app')).toBe(true);
    expect(urlsMatch('registry.example.com/team', 'registry.example.com/other/app')).toBe(false);
    expect(urlsMatch('*.example.com', 'registry.example.com/app')).toBe(true);
    expect(urlsMatch('*.example.com', 'a.registry.example.com/app')).toBe(false);
  });

  it('returns every matching credential, the most specific key first, from parsed auths', () => {
    const k = new DockerKeyring();
    k.add({
      'https://reg.example.com:5000/v1/': { auth: b64('host:h-pass') },
      'reg.example.com:5000/team': { username: 'team', password: 't-pass' },
      'other.example.com': { username: 'o', password: 'o' },
    });
    const found = k.lookup('reg.example.com:5000/team/app');
    expect(found.map((a) => [a.username, a.password])).toEqual([
      ['team', 't-pass'],
      ['host', 'h-pass'],
    ]);
    expect(k.lookup('reg.example.com:5000/solo').map((a) => a.username)).toEqual(['host']);
    expect(k.lookup('elsewhere.example.com/app')).toEqual([]);
  });

  it("uses Docker Hub's credentials for images without a registry host", () => {
    const k = new DockerKeyring();
    k.add({ 'https://index.docker.io/v1/': { username: 'hub', password: 'p' } });
    expect(k.lookup(repositoryOf('busybox:1.36')).map((a) => a.username)).toEqual(['hub']);
    expect(k.lookup(repositoryOf('127.0.0.1:5000/busybox:1'))).toEqual([]);
  });

  it('rejects an auth field that is not base64 of user:password', () => {
    expect(() => {
      new DockerKeyring().add({ r: { auth: b64('no-colon') } });
    }).toThrow(/username:password/);
  });
});

describe('podKeyring (pull secrets of the pod and its ServiceAccount)', () => {
  it('reads dockerconfigjson and legacy dockercfg secrets, and the ServiceAccount’s secrets after the pod’s', async () => {
    const legacy: corev1.Secret = {
      metadata: { name: 'legacy' },
      type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': b64(JSON.stringify({ 'r.example.com': { username: 'old', password: 'x' } })) },
    };
    const sa: corev1.ServiceAccount = {
      metadata: { name: 'builder' },
      imagePullSecrets: [{ name: 'from-sa' }],
    };
    const { keyring, bad } = await podKeyring(
      sourcesOf(
        [legacy, dockerConfigSecret('from-sa', { 'r.example.com/team': { username: 'sa', password: 'y' } })],
        sa,
      ),
      pod(['legacy'], 'builder'),
    );
    expect(bad).toEqual([]);
    expect(keyring.lookup('r.example.com/team/app').map((a) => a.username)).toEqual(['sa', 'old']);
  });

  it('reports secrets that are missing, of the wrong type or malformed, and keeps the good ones', async () => {
    const wrongType: corev1.Secret = { metadata: { name: 'opaque' }, type: 'Opaque', data: { a: b64('b') } };
    const malformed: corev1.Secret = {
      metadata: { name: 'broken' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64('{"auths": {') },
    };
    const good = dockerConfigSecret('good', { 'r.example.com': { username: 'u', password: 'p' } });
    const { keyring, bad } = await podKeyring(
      sourcesOf([wrongType, malformed, good]),
      pod(['opaque', 'broken', 'missing', 'good']),
    );
    expect(bad.map((b) => b.name)).toEqual(['opaque', 'broken', 'missing']);
    expect(bad[0]?.reason).toMatch(/type "Opaque"/);
    expect(bad[1]?.reason).toMatch(/not valid JSON/);
    expect(bad[2]?.reason).toMatch(/does not exist/);
    expect(keyring.lookup('r.example.com/app').map((a) => a.username)).toEqual(['u']);
  });
});

describe('ImageManager (credentials, then anonymous)', () => {
  it('tries each matching credential, then anonymously, and aggregates the errors', async () => {
    const runtime = new GatedRuntime();
    runtime.accept = { username: 'right', password: 'pw' };
    const { recorder: rec, events } = recorder();
    const secret = dockerConfigSecret('creds', { 'r.example.com': { username: 'wrong', password: 'pw' } });
    const m = new ImageManager({
      runtime,
      recorder: rec,
      clock: new ManualClock(),
      sources: sourcesOf([secret]),
    });
    const err = await m.pull(pod(['creds']), 'r.example.com/app:1').catch((e: unknown) => e);
    expect(imagePullReason(err)).toBe('Unauthorized');
    expect((err as Error).message).toMatch(/\[.*as wrong.*, .*as anonymous.*\]/);
    expect(runtime.calls.map((c) => c.auth?.username)).toEqual(['wrong', undefined]);
    expect(events).toEqual([]);
  });

  it('pulls with the credential that works and reports the image size', async () => {
    const runtime = new GatedRuntime({ registry: [{ ref: 'r.example.com/app:1', size: 1234 }] });
    runtime.accept = { username: 'right', password: 'pw' };
    const secret = dockerConfigSecret('creds', { 'r.example.com': { username: 'right', password: 'pw' } });
    const m = new ImageManager({
      runtime,
      recorder: recorder().recorder,
      clock: new ManualClock(),
      sources: sourcesOf([secret]),
    });
    const pulled = await m.pull(pod(['creds']), 'r.example.com/app:1');
    expect(pulled.size).toBe(1234);
    expect(runtime.calls).toHaveLength(1);
    expect(runtime.calls[0]?.auth?.serverAddress).toBe('r.example.com');
  });

  it('records a warning naming a bad secret and pulls anonymously', async () => {
    const runtime = new GatedRuntime();
    const { recorder: rec, events } = recorder();
    const bad = dockerConfigSecret('bad', {}, 'kubernetes.io/basic-auth');
    const m = new ImageManager({
      runtime,
      recorder: rec,
      clock: new ManualClock(),
      sources: sourcesOf([bad]),
    });
    await m.pull(pod(['bad']), 'r.example.com/app:1');
    expect(runtime.calls.map((c) => c.auth)).toEqual([undefined]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(
      /^Warning FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets \(bad\)/,
    );
    expect(events[0]).toMatch(/Secret "bad": it is of type "kubernetes.io\/basic-auth"/);
  });
});

describe('ImagePuller (serialised or parallel, de-duplicated, with a deadline)', () => {
  it('shares one pull between requests for the same image and credentials', async () => {
    const runtime = new GatedRuntime();
    const gate = deferred<undefined>();
    runtime.gates.set('a:1', gate);
    const puller = new ImagePuller({ runtime, clock: new ManualClock() });
    const first = puller.pull('a:1');
    const second = puller.pull('a:1');
    gate.resolve(undefined);
    const [x, y] = await Promise.all([first, second]);
    expect(x.imageRef).toBe(y.imageRef);
    expect(runtime.calls).toHaveLength(1);
  });

  it('runs one pull at a time by default, and several at once when not serialised', async () => {
    for (const serialize of [true, false]) {
      const runtime = new GatedRuntime();
      const gate = deferred<undefined>();
      runtime.gates.set('a:1', gate);
      const puller = new ImagePuller({ runtime, clock: new ManualClock(), serialize });
      const a = puller.pull('a:1');
      const b = puller.pull('b:1');
      await new Promise((r) => setImmediate(r));
      expect(runtime.calls.map((c) => c.image)).toEqual(serialize ? ['a:1'] : ['a:1', 'b:1']);
      gate.resolve(undefined);
      await Promise.all([a, b]);
      expect(runtime.calls.map((c) => c.image)).toEqual(['a:1', 'b:1']);
    }
  });

  it('fails a pull that passes its deadline and lets the next one start', async () => {
    const clock = new ManualClock();
    const runtime = new GatedRuntime();
    runtime.gates.set('hung:1', deferred<undefined>());
    const puller = new ImagePuller({ runtime, clock, timeoutMs: 5_000 });
    const hung = puller.pull('hung:1').catch((e: unknown) => e);
    const next = puller.pull('b:1');
    await clock.advance(5_000);
    const err = await hung;
    expect(imagePullReason(err)).toBe('Unavailable');
    expect((err as Error).message).toMatch(/did not finish within 5s/);
    await expect(next).resolves.toMatchObject({ imageRef: expect.stringMatching(/^sha256:/) as unknown });
  });
});

describe('goDuration', () => {
  it('writes durations as Go does', () => {
    expect([0, 523, 1000, 1234, 1200, 62_500, 3_600_000].map(goDuration)).toEqual([
      '0s',
      '523ms',
      '1s',
      '1.234s',
      '1.2s',
      '1m2.5s',
      '1h0m0s',
    ]);
  });
});
