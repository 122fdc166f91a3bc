import { lstat, mkdir, readFile, readlink, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type corev1 } from '@tugboat/core';

import { volumeDir } from '../src/internal/paths.js';
import { containerMounts } from '../src/volumes/VolumeManager.js';
import { terminationMessageFile } from '../src/volumes/terminationMessageFile.js';
import { pod, startDataHarness, type DataHarness } from './dataHarness.js';

let h: DataHarness;
beforeEach(async () => {
  h = await startDataHarness({ cpu: '4', memory: '8Gi' });
});
afterEach(async () => {
  await h.stop();
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o7777;

async function configMap(
  name: string,
  data: Record<string, string>,
  binaryData?: Record<string, string>,
): Promise<void> {
  await h.api.create(resources.ConfigMaps, {
    metadata: { name, namespace: 'default' },
    data,
    ...(binaryData ? { binaryData } : {}),
  });
}

async function setupError(p: corev1.Pod): Promise<ApiError> {
  const err = await h.volumes.setupPod(p).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ApiError.is(err)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

describe('VolumeManager', () => {
  it('makes an emptyDir a world-writable directory under the pod dir, and teardown removes the pod dir', async () => {
    const p = await h.createPod(
      pod('e', {
        volumes: [
          { name: 'scratch', emptyDir: {} },
          { name: 'mem', emptyDir: { medium: 'Memory' } },
        ],
      }),
    );
    const uid = p.metadata?.uid ?? '';
    const paths = await h.volumes.setupPod(p);
    expect(paths.get('scratch')).toBe(volumeDir(h.rootDir, uid, 'scratch'));
    expect((await stat(paths.get('scratch') ?? '')).isDirectory()).toBe(true);
    expect(await mode(paths.get('scratch') ?? '')).toBe(0o777);
    expect((await stat(paths.get('mem') ?? '')).isDirectory()).toBe(true);
    expect(await h.volumes.listPodUids()).toEqual([uid]);
    await h.volumes.teardownPod(uid);
    await h.volumes.teardownPod(uid);
    expect(await h.volumes.listPodUids()).toEqual([]);
  });

  it('uses a hostPath as it is, checks its type, and never removes it on teardown', async () => {
    const host = join(h.rootDir, 'host');
    await mkdir(host);
    await writeFile(join(host, 'keep.txt'), 'keep');
    const p = await h.createPod(
      pod('hp', {
        volumes: [
          { name: 'dir', hostPath: { path: host, type: 'Directory' } },
          { name: 'made', hostPath: { path: join(host, 'new', 'sub'), type: 'DirectoryOrCreate' } },
          { name: 'file', hostPath: { path: join(host, 'f.txt'), type: 'FileOrCreate' } },
        ],
        containers: [{ name: 'c', image: 'busybox:1', volumeMounts: [{ name: 'dir', mountPath: '/host' }] }],
      }),
    );
    const paths = await h.volumes.setupPod(p);
    expect(paths.get('dir')).toBe(host);
    expect((await stat(join(host, 'new', 'sub'))).isDirectory()).toBe(true);
    expect((await stat(join(host, 'f.txt'))).isFile()).toBe(true);
    await h.volumes.teardownPod(p.metadata?.uid ?? '');
    expect(await readFile(join(host, 'keep.txt'), 'utf8')).toBe('keep');
  });

  it('fails a hostPath whose type check fails with the FailedMount message', async () => {
    const file = join(h.rootDir, 'plain.txt');
    await writeFile(file, 'x');
    const p = await h.createPod(
      pod('hpbad', { volumes: [{ name: 'd', hostPath: { path: file, type: 'Directory' } }] }),
    );
    const err = await setupError(p);
    expect(err.message).toBe(
      `MountVolume.SetUp failed for volume "d" : hostPath type check failed: ${file} is not a directory`,
    );
    const p2 = await h.createPod(
      pod('hpsock', { volumes: [{ name: 's', hostPath: { path: file, type: 'Socket' } }] }),
    );
    expect((await setupError(p2)).message).toContain(
      `hostPath type check failed: ${file} is not a socket file`,
    );
  });

  it('fails a volume source it does not implement, still setting up the others', async () => {
    const p = await h.createPod(
      pod('pvc', {
        volumes: [
          { name: 'claim', persistentVolumeClaim: { claimName: 'data' } },
          { name: 'scratch', emptyDir: {} },
        ],
      }),
    );
    const err = await setupError(p);
    expect(err.message).toBe(
      'MountVolume.SetUp failed for volume "claim" : volume source persistentVolumeClaim is not supported by this node agent',
    );
    expect((await stat(volumeDir(h.rootDir, p.metadata?.uid ?? '', 'scratch'))).isDirectory()).toBe(true);
  });

  it('writes a configMap volume as files per key with the default or requested modes', async () => {
    await configMap(
      'cfg',
      { 'app.conf': 'port=80\n', other: 'o' },
      { 'blob.bin': Buffer.from([0, 1, 2]).toString('base64') },
    );
    const p = await h.createPod(
      pod('cm', {
        volumes: [
          { name: 'all', configMap: { name: 'cfg' } },
          {
            name: 'some',
            configMap: {
              name: 'cfg',
              defaultMode: 0o600,
              items: [
                { key: 'app.conf', path: 'etc/app.conf', mode: 0o400 },
                { key: 'other', path: 'o.txt' },
              ],
            },
          },
        ],
      }),
    );
    const paths = await h.volumes.setupPod(p);
    const all = paths.get('all') ?? '';
    expect(await readFile(join(all, 'app.conf'), 'utf8')).toBe('port=80\n');
    expect(await readFile(join(all, 'blob.bin'))).toEqual(Buffer.from([0, 1, 2]));
    expect(await mode(join(all, 'app.conf'))).toBe(0o644);
    expect((await lstat(join(all, 'app.conf'))).isSymbolicLink()).toBe(true);
    const some = paths.get('some') ?? '';
    expect((await readdir(some)).filter((n) => !n.startsWith('..')).sort()).toEqual(['etc', 'o.txt']);
    expect(await readFile(join(some, 'etc', 'app.conf'), 'utf8')).toBe('port=80\n');
    expect(await mode(join(some, 'etc', 'app.conf'))).toBe(0o400);
    expect(await mode(join(some, 'o.txt'))).toBe(0o600);
  });

  it('fails a missing configMap or key unless optional', async () => {
    const missing = await h.createPod(
      pod('cm1', { volumes: [{ name: 'cfg', configMap: { name: 'nope' } }] }),
    );
    const err = await setupError(missing);
    expect(err.message).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found');
    expect(err.details.causes?.[0]?.message).toBe('configmap "nope" not found');

    const optional = await h.createPod(
      pod('cm2', { volumes: [{ name: 'cfg', configMap: { name: 'nope', optional: true } }] }),
    );
    const dir = (await h.volumes.setupPod(optional)).get('cfg') ?? '';
    expect((await readdir(dir)).filter((n) => !n.startsWith('..'))).toEqual([]);

    await configMap('has', { a: '1' });
    const badKey = await h.createPod(
      pod('cm3', {
        volumes: [{ name: 'cfg', configMap: { name: 'has', items: [{ key: 'b', path: 'b' }] } }],
      }),
    );
    expect((await setupError(badKey)).message).toBe(
      'MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: b',
    );
    const optKey = await h.createPod(
      pod('cm4', {
        volumes: [
          {
            name: 'cfg',
            configMap: {
              name: 'has',
              optional: true,
              items: [
                { key: 'b', path: 'b' },
                { key: 'a', path: 'a' },
              ],
            },
          },
        ],
      }),
    );
    const d2 = (await h.volumes.setupPod(optKey)).get('cfg') ?? '';
    expect((await readdir(d2)).filter((n) => !n.startsWith('..'))).toEqual(['a']);
  });

  it('writes secret volumes decoded, and fails a missing secret or key with upstream messages', async () => {
    await h.api.create(resources.Secrets, {
      metadata: { name: 'creds', namespace: 'default' },
      stringData: { user: 'admin', pass: 's3cret' },
    });
    const p = await h.createPod(
      pod('sec', { volumes: [{ name: 's', secret: { secretName: 'creds', defaultMode: 0o400 } }] }),
    );
    const dir = (await h.volumes.setupPod(p)).get('s') ?? '';
    expect(await readFile(join(dir, 'pass'), 'utf8')).toBe('s3cret');
    expect(await mode(join(dir, 'user'))).toBe(0o400);

    const missing = await h.createPod(
      pod('sec2', { volumes: [{ name: 's', secret: { secretName: 'gone' } }] }),
    );
    expect((await setupError(missing)).message).toBe(
      'MountVolume.SetUp failed for volume "s" : secret "gone" not found',
    );
    const badKey = await h.createPod(
      pod('sec3', {
        volumes: [{ name: 's', secret: { secretName: 'creds', items: [{ key: 'token', path: 't' }] } }],
      }),
    );
    expect((await setupError(badKey)).message).toBe(
      'MountVolume.SetUp failed for volume "s" : references non-existent secret key: token',
    );
    const optional = await h.createPod(
      pod('sec4', { volumes: [{ name: 's', secret: { secretName: 'gone', optional: true } }] }),
    );
    await expect(h.volumes.setupPod(optional)).resolves.toBeDefined();
  });

  it('writes downwardAPI files: metadata fields and container resources', async () => {
    const p = await h.createPod(
      pod(
        'dw',
        {
          containers: [
            {
              name: 'c',
              image: 'busybox:1',
              resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
            },
          ],
          volumes: [
            {
              name: 'info',
              downwardAPI: {
                items: [
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                  { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
                  { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                  { path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } },
                  { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
                  { path: 'tier', fieldRef: { fieldPath: "metadata.annotations['example.com/tier']" } },
                  {
                    path: 'mem',
                    resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' },
                  },
                  {
                    path: 'cpu-limit',
                    resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' },
                  },
                  { path: 'cpu-request', resourceFieldRef: { containerName: 'c', resource: 'requests.cpu' } },
                ],
              },
            },
          ],
        },
        {
          labels: { zone: 'a', app: 'web' },
          annotations: { 'example.com/tier': 'front', note: 'say "hi"\n' },
        },
      ),
    );
    const dir = (await h.volumes.setupPod(p)).get('info') ?? '';
    const read = (f: string): Promise<string> => readFile(join(dir, f), 'utf8');
    expect(await read('labels')).toBe('app="web"\nzone="a"');
    expect(await read('annotations')).toBe('example.com/tier="front"\nnote="say \\"hi\\"\\n"');
    expect(await read('name')).toBe('dw');
    expect(await read('ns')).toBe('default');
    expect(await read('uid')).toBe(p.metadata?.uid);
    expect(await read('tier')).toBe('front');
    expect(await read('mem')).toBe('64');
    expect(await read('cpu-limit')).toBe('4000');
    expect(await read('cpu-request')).toBe('1');
    expect(await mode(join(dir, 'name'))).toBe(0o644);
  });

  it('refreshes changed configMap content atomically through the ..data symlink', async () => {
    await configMap('live', { a: 'one', b: 'bee' });
    const p = await h.createPod(pod('upd', { volumes: [{ name: 'cfg', configMap: { name: 'live' } }] }));
    const dir = (await h.volumes.setupPod(p)).get('cfg') ?? '';
    const firstTarget = await readlink(join(dir, '..data'));
    expect(firstTarget).toMatch(/^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\./);
    expect(await readlink(join(dir, 'a'))).toBe('..data/a');

    // Unchanged content: nothing rewritten.
    await h.volumes.setupPod(p);
    expect(await readlink(join(dir, '..data'))).toBe(firstTarget);

    const cm = await h.api.get(resources.ConfigMaps, 'live', { namespace: 'default' });
    await h.api.update(resources.ConfigMaps, { ...cm, data: { a: 'two', c: 'sea' } });
    await h.volumes.setupPod(p);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('two');
    expect(await readFile(join(dir, 'c'), 'utf8')).toBe('sea');
    await expect(lstat(join(dir, 'b'))).rejects.toThrow();
    const secondTarget = await readlink(join(dir, '..data'));
    expect(secondTarget).not.toBe(firstTarget);
    // The old generation is gone and no temporary link is left behind.
    expect((await readdir(dir)).sort()).toEqual(['..data', secondTarget, 'a', 'c'].sort());
  });

  it('never lets a reader see a half-written file while content changes', async () => {
    const big = (ch: string): string => ch.repeat(256 * 1024);
    await configMap('big', { f: big('a') });
    const p = await h.createPod(pod('big', { volumes: [{ name: 'cfg', configMap: { name: 'big' } }] }));
    const file = join((await h.volumes.setupPod(p)).get('cfg') ?? '', 'f');
    const state = { writing: true };
    const seen = new Set<string>();
    const reader = (async () => {
      while (state.writing) {
        const text = await readFile(file, 'utf8');
        expect(text.length).toBe(256 * 1024);
        seen.add(text[0] ?? '');
        expect(text).toBe(big(text[0] ?? ''));
      }
    })();
    for (const ch of 'bcdefghijk') {
      const cm = await h.api.get(resources.ConfigMaps, 'big', { namespace: 'default' });
      await h.api.update(resources.ConfigMaps, { ...cm, data: { f: big(ch) } });
      await h.volumes.setupPod(p);
    }
    state.writing = false;
    await reader;
    expect(await readFile(file, 'utf8')).toBe(big('k'));
    expect(seen.size).toBeGreaterThan(0);
  });

  it('teardown removes every file but does not follow symlinks out of the pod dir', async () => {
    const outside = join(h.rootDir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'precious'), 'x');
    const p = await h.createPod(pod('td', { volumes: [{ name: 'scratch', emptyDir: {} }] }));
    const dir = (await h.volumes.setupPod(p)).get('scratch') ?? '';
    await symlink(outside, join(dir, 'link'));
    await writeFile(join(dir, 'data'), 'y');
    await h.volumes.teardownPod(p.metadata?.uid ?? '');
    await expect(stat(dir)).rejects.toThrow();
    expect(await readFile(join(outside, 'precious'), 'utf8')).toBe('x');
  });
});

describe('containerMounts', () => {
  const volumes: corev1.Volume[] = [
    { name: 'data', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'cfg' } },
  ];

  it('maps every volumeMount, forcing configMap volumes read-only, and mounts the termination-log file', async () => {
    await configMap('cfg', { 'app.conf': 'x' });
    const p = await h.createPod(
      pod('m', {
        volumes,
        containers: [
          {
            name: 'c',
            image: 'busybox:1',
            volumeMounts: [
              { name: 'data', mountPath: '/data' },
              { name: 'data', mountPath: '/logs', subPath: 'logs/app', readOnly: true },
              { name: 'cfg', mountPath: '/etc/app' },
              { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
            ],
          },
        ],
      }),
    );
    const uid = p.metadata?.uid ?? '';
    const paths = await h.volumes.setupPod(p);
    const c = p.spec?.containers[0] as corev1.Container;
    const mounts = await h.volumes.containerMounts(p, c, paths);
    const data = volumeDir(h.rootDir, uid, 'data');
    const cfg = volumeDir(h.rootDir, uid, 'cfg');
    const cfgTarget = await readlink(join(cfg, '..data'));
    expect(mounts).toEqual([
      { containerPath: '/data', hostPath: data },
      { containerPath: '/logs', hostPath: join(data, 'logs', 'app'), readonly: true },
      { containerPath: '/etc/app', hostPath: cfg, readonly: true },
      { containerPath: '/etc/app.conf', hostPath: join(cfg, cfgTarget, 'app.conf'), readonly: true },
      { containerPath: '/dev/termination-log', hostPath: terminationMessageFile(h.rootDir, uid, 'c') },
    ]);
    // The paths setupPod resolved know the pod dir, so the plain function mounts the file too.
    expect(await containerMounts(p, c, paths)).toEqual(mounts);
    expect((await stat(join(data, 'logs', 'app'))).isDirectory()).toBe(true);
    const term = terminationMessageFile(h.rootDir, uid, 'c');
    expect(await readFile(term, 'utf8')).toBe('');
    expect(await mode(term)).toBe(0o666);
    // A new instance starts with an empty message.
    await writeFile(term, 'died');
    await containerMounts(p, c, paths, { rootDir: h.rootDir });
    expect(await readFile(term, 'utf8')).toBe('');
  });

  it('rejects subPaths that escape the volume and unknown volume names with Invalid', async () => {
    const outside = join(h.rootDir, 'outside');
    await mkdir(outside);
    const p = await h.createPod(pod('esc', { volumes: [{ name: 'data', emptyDir: {} }] }));
    const paths = await h.volumes.setupPod(p);
    await symlink(outside, join(paths.get('data') ?? '', 'evil'));
    const mountsOf = (vm: corev1.VolumeMount): Promise<unknown> =>
      containerMounts(p, { name: 'c', image: 'busybox:1', volumeMounts: [vm] }, paths);
    const expectInvalid = async (result: Promise<unknown>, message: string): Promise<void> => {
      const caught: unknown = await result.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(ApiError.is(caught, 'Invalid')).toBe(true);
      expect((caught as Error).message).toBe(message);
    };
    await expectInvalid(
      mountsOf({ name: 'data', mountPath: '/x', subPath: '../../etc' }),
      "unable to provision SubPath `../../etc`: must not contain '..'",
    );
    await expectInvalid(
      mountsOf({ name: 'data', mountPath: '/x', subPath: '/etc' }),
      'error SubPath `/etc` must not be an absolute path',
    );
    await expect(mountsOf({ name: 'data', mountPath: '/x', subPath: 'evil' })).rejects.toThrow(
      /not within volume path/,
    );
    await expectInvalid(
      mountsOf({ name: 'nope', mountPath: '/x' }),
      'cannot find volume "nope" to mount into container "c"',
    );
  });

  it('expands subPathExpr from the container environment', async () => {
    const p = await h.createPod(pod('expr', { volumes: [{ name: 'data', emptyDir: {} }] }));
    const paths = await h.volumes.setupPod(p);
    const c: corev1.Container = {
      name: 'c',
      image: 'busybox:1',
      volumeMounts: [{ name: 'data', mountPath: '/x', subPathExpr: '$(POD)/out' }],
    };
    const [m] = await containerMounts(p, c, paths, { env: [{ key: 'POD', value: 'expr' }] });
    expect(m?.hostPath).toBe(join(paths.get('data') ?? '', 'expr', 'out'));
    await expect(containerMounts(p, c, paths, { env: [] })).rejects.toThrow('missing value for POD');
  });
});
