import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { startPodHarness, until, type PodHarness } from './podHarness.js';
import { testPki, type TestPki } from './serverHarness.js';

function get(pki: TestPki, port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca: pki.caPem, cert: pki.client.certPem, key: pki.client.keyPem },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('Kubelet with its server', () => {
  let h: PodHarness;
  let dir: string;
  let pki: TestPki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tugboat-kubelet-pki-'));
    pki = await testPki(dir);
    h = await startPodHarness({
      realSeams: true,
      kubelet: {
        server: {
          host: '127.0.0.1',
          port: 0,
          tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, clientCaPem: pki.caPem },
        },
      },
    });
    await h.kubelet.start();
  });
  afterAll(async () => {
    await h.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the logs of a pod it runs and advertises its port in the Node status', async () => {
    expect(h.kubelet.serverPort).toBeGreaterThan(0);
    const node = await until(async () => {
      const n = await h.api.get(resources.Nodes, 'node-1');
      return n.status?.daemonEndpoints?.kubeletEndpoint?.Port ? n : undefined;
    }, 'Node with its kubelet endpoint');
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(h.kubelet.serverPort);
    await h.createPod('hello', {
      containers: [
        { name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello from the pod; httpd'] },
      ],
    });
    await h.waitPod('hello', (p) => p.status?.phase === 'Running', 'Running');
    const logs = await until(async () => {
      const r = await get(pki, h.kubelet.serverPort, '/containerLogs/default/hello/c');
      return r.status === 200 && r.text.includes('hello from the pod') ? r : undefined;
    }, 'logs served');
    expect(logs.text).toBe('hello from the pod\n');
    const waiting = await get(pki, h.kubelet.serverPort, '/containerLogs/default/hello/c?previous=true');
    expect(waiting.text).toMatch(/previous terminated container \\?"c\\?" in pod \\?"hello\\?" not found/);
  });
});
