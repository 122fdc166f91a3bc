import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { buildKubeconfig } from '../../src/index.js';
import { eventually, startSecuredServer, type SecuredServer } from './securityHarness.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the real kubectl against the secured server', () => {
  let s: SecuredServer;
  let home: string;
  let adminConfig: string;

  const kubectl = (config: string, ...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        '/usr/bin/kubectl',
        ['--kubeconfig', config, ...args],
        {
          env: { PATH: process.env['PATH'] ?? '/usr/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') },
          timeout: 20_000,
        },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
        },
      );
    });

  const configWithToken = (name: string, token: string): string => {
    const path = join(home, `${name}.kubeconfig`);
    writeFileSync(
      path,
      buildKubeconfig({ server: s.server.url, caPem: s.pki.ca.certPem, credentials: { token }, user: name }),
    );
    return path;
  };

  beforeAll(async () => {
    s = await startSecuredServer({ tokenCsv: 'jane-token,jane,42\n' });
    home = mkdtempSync(join(tmpdir(), 'tug-kubectl-'));
    adminConfig = join(home, 'admin.kubeconfig');
    writeFileSync(
      adminConfig,
      buildKubeconfig({ server: s.server.url, caPem: s.pki.ca.certPem, credentials: s.pki.admin }),
    );
  });
  afterAll(async () => {
    await s.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('auth whoami names the admin from its client certificate', async () => {
    const run = await kubectl(adminConfig, 'auth', 'whoami', '-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: {
        userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      },
    });
  });

  it('auth can-i answers for the caller and, with --as, for an impersonated user as RBAC changes', async () => {
    expect(await kubectl(adminConfig, 'auth', 'can-i', 'create', 'pods')).toMatchObject({
      code: 0,
      stdout: 'yes',
    });
    expect(await kubectl(adminConfig, 'auth', 'can-i', 'create', 'pods', '--as', 'jane')).toMatchObject({
      code: 1,
      stdout: 'no',
    });
    await s.client.create(resources.RoleBindings, {
      metadata: { name: 'jane-edit', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
    });
    await eventually(
      async () =>
        (await kubectl(adminConfig, 'auth', 'can-i', 'create', 'pods', '--as', 'jane')).stdout === 'yes',
      15_000,
    );
    expect(
      await kubectl(adminConfig, 'auth', 'can-i', 'create', 'pods', '--as', 'jane', '-n', 'kube-system'),
    ).toMatchObject({ stdout: 'no' });
    const list = await kubectl(adminConfig, 'auth', 'can-i', '--list', '--as', 'jane');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^secrets\s+\[\]\s+\[\]\s+\[.*create.*\]$/m);
    expect(list.stdout).toContain('selfsubjectaccessreviews.authorization.k8s.io');
    const jane = configWithToken('jane', 'jane-token');
    expect(await kubectl(jane, 'auth', 'can-i', 'list', 'secrets')).toMatchObject({ code: 0, stdout: 'yes' });
    expect(await kubectl(jane, 'auth', 'can-i', 'create', 'pods', '--as', 'kubernetes-admin')).toMatchObject({
      code: 1,
    });
  });

  it('kubectl create token returns a JWT that authenticates as the ServiceAccount', async () => {
    expect((await kubectl(adminConfig, 'create', 'serviceaccount', 'builder')).code).toBe(0);
    const created = await kubectl(adminConfig, 'create', 'token', 'builder', '--duration', '20m');
    expect(created.code).toBe(0);
    expect(created.stdout.split('.')).toHaveLength(3);
    const asSa = configWithToken('builder', created.stdout);
    const whoami = await kubectl(asSa, 'auth', 'whoami', '-o', 'json');
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      status: { userInfo: { username: 'system:serviceaccount:default:builder' } },
    });
    const denied = await kubectl(asSa, 'get', 'pods');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Forbidden');
    expect(denied.stderr).toContain('cannot list resource "pods"');
  });

  it('kubectl without credentials is told it is unauthorized', async () => {
    const anon = configWithToken('anon', 'not-a-token');
    const run = await kubectl(anon, 'get', 'namespaces');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Unauthorized');
  });
});
