import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { parseControlPlane } from '../src/controlPlaneFlags.js';
import { parseDurationFlag } from '../src/durationFlag.js';
import { parseNode } from '../src/nodeFlags.js';
import { parseTokenCreate } from '../src/tokenFlags.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tug-haflags-'));
  await writeFile(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  await writeFile(join(dir, 'kubeconfig'), 'apiVersion: v1\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tug control-plane / node / token flags', () => {
  it('reads durations as Go writes them', () => {
    expect(parseDurationFlag('--ttl', '24h')).toBe(86_400_000);
    expect(parseDurationFlag('--ttl', '1h30m')).toBe(5_400_000);
    expect(parseDurationFlag('--ttl', '500ms')).toBe(500);
    expect(parseDurationFlag('--ttl', '0')).toBe(0);
    expect(parseDurationFlag('--ttl', '10 days')).toMatch(/--ttl must be a duration/);
  });

  it('takes an etcd store and lease timings, and refuses bad ones before anything starts', () => {
    const flags = parseControlPlane([
      '--store',
      'etcd://127.0.0.1:2379,127.0.0.1:2479',
      '--port',
      '0',
      '--data-dir',
      dir,
    ]);
    expect(flags).toMatchObject({
      store: 'etcd://127.0.0.1:2379,127.0.0.1:2479',
      port: 0,
      dataDir: dir,
      leaderElection: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    });
    expect(parseControlPlane(['--store', 'mysql://x'])).toMatch(/--store: not an etcd URL/);
    expect(parseControlPlane(['--port', '70000'])).toMatch(/--port must be/);
    expect(
      parseControlPlane(['--leader-elect-lease-duration', '5s', '--leader-elect-renew-deadline', '5s']),
    ).toMatch(/lease-duration must be greater/);
    expect(parseControlPlane(['--bogus'])).toMatch(/bogus/);
  });

  it('needs a server, a well-formed token and the CA to join a node', () => {
    const base = ['--data-dir', join(dir, 'node'), '--ca-cert', join(dir, 'ca.crt')];
    expect(parseNode(base)).toMatch(/--server is required/);
    expect(parseNode(['--server', 'http://127.0.0.1:6443', ...base])).toMatch(/https:\/\//);
    expect(parseNode(['--server', 'https://127.0.0.1:6443', ...base])).toMatch(/--token is required/);
    expect(parseNode(['--server', 'https://127.0.0.1:6443', '--token', 'nope', ...base])).toMatch(
      /--token must be/,
    );
    // Without a CA the token discovers it (kube-public/cluster-info), optionally pinned.
    const discovery = [
      '--server',
      'https://127.0.0.1:6443',
      '--token',
      'abcdef.0123456789abcdef',
      '--data-dir',
      join(dir, 'node'),
    ];
    const discovered = parseNode(discovery);
    expect(discovered).toMatchObject({ caCertHashes: [], proxy: 'all' });
    expect(discovered).not.toHaveProperty('caPem');
    const pin = `sha256:${'A'.repeat(64)}`;
    expect(
      parseNode([...discovery, '--discovery-token-ca-cert-hash', pin, '--proxy', 'node-ports']),
    ).toMatchObject({ caCertHashes: [pin.toLowerCase()], proxy: 'node-ports' });
    expect(parseNode([...discovery, '--discovery-token-ca-cert-hash', 'md5:abc'])).toMatch(
      /--discovery-token-ca-cert-hash must be sha256:<64 hex digits>, got "md5:abc"/,
    );
    expect(parseNode([...discovery, '--proxy', 'iptables'])).toMatch(
      /--proxy must be one of all, node-ports, off, got "iptables"/,
    );
    expect(
      parseNode([
        '--server',
        'https://127.0.0.1:6443/',
        '--token',
        'abcdef.0123456789abcdef',
        '--node-name',
        'n1',
        '--runtime',
        'fake',
        ...base,
      ]),
    ).toMatchObject({
      server: 'https://127.0.0.1:6443',
      token: 'abcdef.0123456789abcdef',
      nodeName: 'n1',
      runtime: 'fake',
      kubeletPort: 10250,
    });
    expect(
      parseNode([
        '--server',
        'https://127.0.0.1:6443',
        '--token',
        'abcdef.0123456789abcdef',
        '--node-name',
        'Bad_Name',
        ...base,
      ]),
    ).toMatch(/--node-name/);
  });

  it('creates tokens only with a kubeconfig to reach the API server', () => {
    expect(parseTokenCreate(['create', '--data-dir', dir, '--ttl', '2h'])).toMatchObject({
      kubeconfig: join(dir, 'kubeconfig'),
      ttlMs: 7_200_000,
      groups: [],
    });
    expect(parseTokenCreate(['create', '--data-dir', join(dir, 'missing')])).toMatch(/no kubeconfig/);
    expect(parseTokenCreate(['delete'])).toMatch(/unknown subcommand/);
    expect(parseTokenCreate(['create', '--data-dir', dir, '--groups', 'system:masters'])).toMatch(/--groups/);
  });
});
