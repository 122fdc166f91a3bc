import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { imagePullReason, type Runtime } from '@tugboat/core';

import { freePorts } from '../etcd/freePorts.js';
import { RuntimeHarness } from '../runtime/RuntimeHarness.js';
import { buildTestImage, type TestImage } from './buildTestImage.js';
import { startRegistry, type PushedImage, type TestRegistry } from './startRegistry.js';
import { startSilentServer, type SilentServer } from './startSilentServer.js';

/** Where a registry listens, as a runtime's registry configuration needs it. */
export interface RegistryEndpoint {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** `http://…` or `https://…`. */
  readonly url: string;
  /** The CA that signed an HTTPS registry's certificate. */
  readonly caPem?: string;
}

/** What a runtime package hands {@link describeRegistryPulls}. */
export interface RegistryPullSetup {
  readonly runtime: Runtime;
  /** A client on the same daemon whose pull deadline is a few seconds (for the hung-registry case). */
  readonly impatientRuntime: Runtime;
  /** Images already present in the runtime: busybox (and the sandbox image). */
  readonly images: { readonly busybox: string; readonly pause?: string };
  /** Makes the runtime able to reach a loopback registry (containerd: a `hosts.toml`). */
  configureRegistry(registry: RegistryEndpoint): Promise<void>;
  /** Called once after the last case. */
  cleanup?(): Promise<void>;
}

/**
 * The shared suite of image pulls from a real registry (Debian's `docker-registry` on loopback,
 * filled with `skopeo`), run by each real runtime: an image only the registry has pulls and runs;
 * tag-less and digest references; basic auth (over TLS with wrong and right credentials, over HTTP
 * without any); a
 * malformed reference; a registry that is down; one that never answers. Every case pushes an image
 * of its own (unique image id) under a unique repository, and removes what it pulled.
 */
export function describeRegistryPulls(name: string, factory: () => Promise<RegistryPullSetup>): void {
  jest.setTimeout(90_000);
  describe(`Registry pulls: ${name}`, () => {
    let setup: RegistryPullSetup | undefined;
    let h: RuntimeHarness | undefined;
    let plain: TestRegistry | undefined;
    let secure: TestRegistry | undefined;
    let guarded: TestRegistry | undefined;
    let dir = '';
    let seq = 0;
    const pulled = new Set<string>();
    const run = `${process.pid}-${Date.now().toString(36)}`;
    const creds = { username: 'tugboat', password: 's3cret-pull' };

    const s = (): RegistryPullSetup => {
      if (!setup) throw new Error('registry pulls: the factory failed, see beforeAll');
      return setup;
    };
    const repo = (what: string): string => `tugboat-test/${what}-${run}-${++seq}`;
    const image = (): Promise<TestImage> => buildTestImage({ dir });
    const push = async (reg: TestRegistry | undefined, img: TestImage, ref: string): Promise<PushedImage> => {
      if (!reg) throw new Error('registry pulls: no registry, see beforeAll');
      return reg.pushImage(img.archive, ref);
    };
    const pull = async (ref: string, auth?: Parameters<Runtime['pullImage']>[1]): Promise<string> => {
      pulled.add(ref);
      return s().runtime.pullImage(ref, auth);
    };
    const errorOf = (p: Promise<unknown>): Promise<Error> =>
      p.then(
        () => {
          throw new Error('expected the pull to fail, but it succeeded');
        },
        (err: unknown) => err as Error,
      );

    beforeAll(async () => {
      setup = await factory();
      h = new RuntimeHarness({ runtime: setup.runtime, images: setup.images });
      dir = await mkdtemp(path.join(os.tmpdir(), 'tug-pull-images-'));
      plain = await startRegistry();
      secure = await startRegistry({ tls: true, auth: creds });
      guarded = await startRegistry({ auth: creds });
      await setup.configureRegistry(plain);
      await setup.configureRegistry(secure);
      await setup.configureRegistry(guarded);
    }, 120_000);

    afterEach(async () => {
      await h?.cleanup();
      for (const ref of pulled) await setup?.runtime.removeImage(ref).catch(() => undefined);
      pulled.clear();
    }, 120_000);

    afterAll(async () => {
      await plain?.stop();
      await secure?.stop();
      await guarded?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
      await setup?.runtime.close();
      await setup?.impatientRuntime.close();
      await setup?.cleanup?.();
    }, 120_000);

    it('pulls an image that only the registry has, and runs a container from it', async () => {
      const img = await image();
      const { ref } = await push(plain, img, `${repo('run')}:1.0`);
      expect(await s().runtime.imageStatus(ref)).toBeUndefined();
      const id = await pull(ref);
      expect(id).toBe(img.configDigest);
      const status = await s().runtime.imageStatus(ref);
      expect(status?.id).toBe(img.configDigest);
      expect(status?.repoTags).toContain(ref);
      const harness = h as RuntimeHarness;
      const sandbox = await harness.sandbox();
      const cid = await harness.start(sandbox, {
        image: ref,
        command: ['sh', '-c', 'echo marker=$TUG_IMAGE_MARKER'],
      });
      const lines = await harness.waitForLog(cid, (l) => l.some((x) => x.content.startsWith('marker=')));
      expect(lines.map((l) => l.content)).toContain(`marker=${img.marker}`);
    });

    it('pulls a reference without a tag as :latest', async () => {
      const img = await image();
      const name = repo('latest');
      const { ref } = await push(plain, img, `${name}:latest`);
      const bare = ref.slice(0, -':latest'.length);
      expect(await pull(bare)).toBe(img.configDigest);
      pulled.add(ref);
      expect((await s().runtime.imageStatus(bare))?.repoTags).toContain(ref);
    });

    it('pulls a digest reference as exactly that image, even after the tag moved on', async () => {
      const first = await image();
      const second = await image();
      const name = repo('digest');
      const pushed = await push(plain, first, `${name}:v1`);
      // The tag now names another image; only the digest still reaches the first.
      await push(plain, second, `${name}:v1`);
      const byDigest = `${plain?.host ?? ''}/${name}@${pushed.digest}`;
      expect(await pull(byDigest)).toBe(first.configDigest);
      const status = await s().runtime.imageStatus(byDigest);
      expect(status?.id).toBe(first.configDigest);
      expect(status?.repoDigests).toContain(byDigest);
    });

    it("refuses wrong credentials with the registry's 401 over TLS, and pulls with the right ones", async () => {
      const img = await image();
      const { ref } = await push(secure, img, `${repo('auth')}:1`);
      const wrong = await errorOf(pull(ref, { username: creds.username, password: 'wrong' }));
      expect(imagePullReason(wrong)).toBe('Unauthorized');
      expect(wrong.message).toMatch(/401|unauthori[sz]ed/i);
      expect(await pull(ref, { ...creds, serverAddress: secure?.host ?? '' })).toBe(img.configDigest);
      expect((await s().runtime.imageStatus(ref))?.id).toBe(img.configDigest);
    });

    // Over plain HTTP: Docker treats loopback as insecure and, when its HTTPS attempt fails, reports
    // the error of its plain-HTTP fallback, which a TLS-only registry answers with 400.
    it('refuses a pull without credentials from a registry that requires them', async () => {
      const img = await image();
      const { ref } = await push(guarded, img, `${repo('anon')}:1`);
      const anonymous = await errorOf(pull(ref));
      expect(imagePullReason(anonymous)).toBe('Unauthorized');
      expect(anonymous.message).toMatch(/401|unauthori[sz]ed|credentials/i);
      expect(await pull(ref, creds)).toBe(img.configDigest);
    });

    it('reports a tag the registry does not have as NotFound', async () => {
      const err = await errorOf(pull(`${plain?.host ?? ''}/${repo('absent')}:nope`));
      expect(imagePullReason(err)).toBe('NotFound');
    });

    it('rejects a malformed reference as InvalidImageName without asking the registry', async () => {
      const err = await errorOf(pull(`${plain?.host ?? ''}/Tugboat/UPPER:1`));
      expect(imagePullReason(err)).toBe('InvalidImageName');
      const bad = await errorOf(pull(`${plain?.host ?? ''}/tugboat/x@sha256:nothex`));
      expect(imagePullReason(bad)).toBe('InvalidImageName');
    });

    it('fails a pull from a registry that is down with ImagePull/Unavailable', async () => {
      const [port] = await freePorts(1);
      const host = `127.0.0.1:${port ?? 1}`;
      await s().configureRegistry({ host, url: `http://${host}` });
      const err = await errorOf(pull(`${host}/tugboat/down:1`));
      expect(imagePullReason(err)).toBe('Unavailable');
      expect(err.message).toMatch(/refused|connect|unavailable|dial/i);
    });

    it('gives up on a registry that accepts connections but never answers, at the pull deadline', async () => {
      let silent: SilentServer | undefined;
      try {
        silent = await startSilentServer();
        await s().configureRegistry({ host: silent.host, url: `http://${silent.host}` });
        const ref = `${silent.host}/tugboat/hung:1`;
        pulled.add(ref);
        const err = await errorOf(s().impatientRuntime.pullImage(ref));
        expect(imagePullReason(err)).toBe('Unavailable');
        expect(silent.accepted()).toBeGreaterThan(0);
      } finally {
        await silent?.stop();
      }
    });
  });
}
