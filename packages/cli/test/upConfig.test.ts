import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';
import { controllerClasses } from '@tugboat/controllers';

import { loadUpConfig, unknownController, type UpConfig } from '../src/upConfig.js';
import { parseUp } from '../src/upFlags.js';

const dir = mkdtempSync(join(tmpdir(), 'tug-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** Writes a config file with the TugConfig header and `body`; returns its path. */
function config(body: string, header = 'apiVersion: tugboat.dev/v1alpha1\nkind: TugConfig\n'): string {
  const file = join(dir, `cluster-${++n}.yaml`);
  writeFileSync(file, header + body);
  return file;
}

describe('tug up --config', () => {
  it('reads every setting, components and controllers, resolving paths against the file', () => {
    const file = config(
      [
        'port: 7443',
        'dataDir: state',
        'host: 127.0.0.2',
        'tlsSans: [tug.example.com]',
        'anonymousAuth: true',
        'runtime: fake',
        'containerdSocket: sockets/containerd.sock',
        'nodeName: worker-1',
        'kubeletPort: 0',
        'serviceClusterIpRange: 127.30.0.0/16',
        'serviceNodePortRange: 31000-31999',
        'loadBalancerPool: 127.31.0.0/24',
        'dnsAddress: 127.0.0.3',
        'dnsPort: 0',
        'components: {kubelet: false, dns: false}',
        'controllers: [replicaset, deployment]',
      ].join('\n'),
    );
    expect(parseUp(['--config', file])).toEqual({
      port: 7443,
      dataDir: join(dir, 'state'),
      host: '127.0.0.2',
      sans: ['tug.example.com'],
      anonymous: true,
      runtime: 'fake',
      containerdSocket: join(dir, 'sockets', 'containerd.sock'),
      nodeName: 'worker-1',
      kubeletPort: 0,
      serviceClusterIpRange: '127.30.0.0/16',
      serviceNodePortRange: '31000-31999',
      loadBalancerPool: '127.31.0.0/24',
      dnsAddress: '127.0.0.3',
      dnsPort: 0,
      components: {
        scheduler: true,
        controllers: true,
        cloud: true,
        kubelet: false,
        proxy: true,
        dns: false,
        metrics: true,
      },
      controllers: ['replicaset', 'deployment'],
      config: expect.objectContaining({ file }),
    });
  });

  it('lets flags override the file', () => {
    const file = config('port: 7443\nruntime: docker\nnodeName: from-file\n');
    expect(parseUp(['--config', file, '--port', '0', '--runtime', 'fake'])).toMatchObject({
      port: 0,
      runtime: 'fake',
      nodeName: 'from-file',
    });
    // A value the flag replaces is not even checked.
    expect(parseUp(['--config', config('port: 99999\n'), '--port', '1'])).toMatchObject({ port: 1 });
  });

  it.each([
    ['portt: 1\n', 'unknown field "portt"'],
    ['port: "6443"\n', 'port must be a number, got string "6443"'],
    ['anonymousAuth: yes please\n', 'anonymousAuth must be true or false, got string "yes please"'],
    ['tlsSans: a.example.com\n', 'tlsSans must be a list of strings, got string "a.example.com"'],
    ['port: 70000\n', 'port must be a number from 0 to 65535, got "70000"'],
    ['runtime: podman\n', 'runtime must be one of auto, containerd, docker, fake, got "podman"'],
    [
      'serviceClusterIpRange: 10.0.0.0\n',
      'serviceClusterIpRange must be an IPv4 CIDR from /1 to /30, got "10.0.0.0"',
    ],
    ['components: {kubelet: no}\n', 'components.kubelet must be true or false, got string "no"'],
    ['components: {etcd: false}\n', 'components: unknown component "etcd"'],
    ['components: [kubelet]\n', 'components must be a mapping of component: true|false, got a list'],
    ['controllers: replicaset\n', 'controllers must be a list of controller names, got string "replicaset"'],
    ['port: [1\n', 'not valid YAML'],
  ])('refuses %j with one message naming the file and the field', (body, message) => {
    const file = config(body);
    const result = parseUp(['--config', file]);
    expect(typeof result).toBe('string');
    expect(result).toContain(`${file}: ${message}`);
  });

  it('refuses a file of another kind or version, an empty one and a missing one', () => {
    const wrongKind = config('port: 1\n', 'apiVersion: tugboat.dev/v1alpha1\nkind: Cluster\n');
    expect(parseUp(['--config', wrongKind])).toBe(
      `${wrongKind}: kind must be TugConfig, got string "Cluster"`,
    );
    const wrongVersion = config('', 'apiVersion: v1\nkind: TugConfig\n');
    expect(parseUp(['--config', wrongVersion])).toBe(
      `${wrongVersion}: apiVersion must be tugboat.dev/v1alpha1, got string "v1"`,
    );
    const empty = config('', '');
    expect(parseUp(['--config', empty])).toMatch(/must be a mapping with apiVersion/);
    expect(parseUp(['--config', join(dir, 'nope.yaml')])).toBe(
      `--config: cannot read ${join(dir, 'nope.yaml')} (ENOENT)`,
    );
  });

  it('names an unknown controller, checked against what @tugboat/controllers provides', () => {
    const file = config('controllers: [replicaset, cronjob]\n');
    const loaded = loadUpConfig(file) as UpConfig;
    expect(unknownController(loaded, Object.keys(controllerClasses))).toMatch(
      new RegExp(`^${file}: controllers: unknown controller "cronjob" \\(one of replicaset, `),
    );
    const good = loadUpConfig(config('controllers: [replicaset]\n')) as UpConfig;
    expect(unknownController(good, Object.keys(controllerClasses))).toBeUndefined();
  });
});
