import { hostname } from 'node:os';
import { resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { parseUp } from '../src/upFlags.js';

describe('parseUp', () => {
  it('defaults to auto runtime, the host name as node name and kubelet port 10250', () => {
    expect(parseUp([])).toEqual({
      port: 6443,
      dataDir: resolve('.tug'),
      host: '127.0.0.1',
      sans: [],
      anonymous: false,
      runtime: 'auto',
      nodeName: hostname().toLowerCase(),
      kubeletPort: 10250,
      serviceClusterIpRange: '127.10.0.0/16',
      serviceNodePortRange: '30000-32767',
      loadBalancerPool: '127.20.0.0/24',
      dnsAddress: '127.0.0.1',
      dnsPort: 10053,
      components: {
        scheduler: true,
        controllers: true,
        cloud: true,
        kubelet: true,
        proxy: true,
        dns: true,
        metrics: true,
      },
    });
  });

  it('reads the node flags', () => {
    expect(
      parseUp([
        '--runtime',
        'containerd',
        '--containerd-socket',
        '/tmp/c.sock',
        '--docker-socket',
        '/tmp/d.sock',
        '--node-name',
        'worker-1',
        '--kubelet-port',
        '0',
      ]),
    ).toMatchObject({
      runtime: 'containerd',
      containerdSocket: '/tmp/c.sock',
      dockerSocket: '/tmp/d.sock',
      nodeName: 'worker-1',
      kubeletPort: 0,
    });
  });

  it.each([
    [['--runtime', 'podman'], '--runtime must be one of auto, containerd, docker, fake, got "podman"'],
    [['--kubelet-port', '99999'], '--kubelet-port must be a number from 0 to 65535, got "99999"'],
    [
      ['--node-name', 'Worker_1'],
      `--node-name must be a lowercase DNS name (a-z, 0-9, '-', '.'), got "Worker_1"`,
    ],
    [['--containerd-socket', ' '], '--containerd-socket must not be empty'],
    [
      ['--service-cluster-ip-range', '127.10.0.0'],
      '--service-cluster-ip-range must be an IPv4 CIDR from /1 to /30, got "127.10.0.0"',
    ],
    [
      ['--load-balancer-pool', '300.1.0.0/24'],
      '--load-balancer-pool must be an IPv4 CIDR from /1 to /30, got "300.1.0.0/24"',
    ],
    [
      ['--service-node-port-range', '32767-30000'],
      '--service-node-port-range must be FROM-TO within 1-65535, got "32767-30000"',
    ],
    [['--dns-address', 'localhost'], '--dns-address must be an IPv4 address, got "localhost"'],
    [['--dns-port', '53x'], '--dns-port must be a number from 0 to 65535, got "53x"'],
  ])('refuses %j with one message', (args, message) => {
    expect(parseUp(args)).toBe(message);
  });
});
