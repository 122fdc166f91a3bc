import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClusterPki } from '@tugboat/apiserver';
import { realClock, type Clock, type corev1 } from '@tugboat/core';
import { behaviours } from '@tugboat/runtime-fake';

import { probeUserAgent } from '../src/prober/httpProbe.js';
import { runProbe } from '../src/prober/runProbe.js';
import { FakeNodeFixture, closedPort, expiredClock, startServer, type TestServer } from './proberHarness.js';

const container = (ports: corev1.ContainerPort[] = []): corev1.Container => ({
  name: 'c',
  image: 'busybox',
  ports,
});

function probeWith(handler: Partial<corev1.Probe>, timeoutSeconds = 1): corev1.Probe {
  return { timeoutSeconds, ...handler };
}

let fixture: FakeNodeFixture;
const fake = (): FakeNodeFixture => fixture;
let server: TestServer;
let hang: TestServer;
let httpsServer: TestServer;
let refused: number;
const pkiDir = mkdtempSync(path.join(os.tmpdir(), 'tug-probe-pki-'));

beforeAll(async () => {
  fixture = new FakeNodeFixture();
  server = await startServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/ok') res.end('fine');
    else if (url === '/fail') res.writeHead(503).end('down');
    else if (url === '/hop') res.writeHead(302, { location: '/ok' }).end();
    else if (url === '/hop-fail')
      res.writeHead(301, { location: `http://127.0.0.1:${server.port}/fail` }).end();
    else if (url === '/away') res.writeHead(302, { location: `http://localhost:${server.port}/ok` }).end();
    else if (url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (url === '/big') res.end('x'.repeat(1024 * 1024));
    else if (url.startsWith('/echo')) res.end(JSON.stringify(req.headers));
    else res.writeHead(404).end();
  });
  hang = await startServer(() => undefined);
  const pki = await ClusterPki.loadOrCreate({ dir: pkiDir });
  httpsServer = await startServer(
    (_req, res) => res.end('secure'),
    (l) => https.createServer({ cert: pki.serving.certPem, key: pki.serving.keyPem }, l),
  );
  refused = await closedPort();
});

afterAll(async () => {
  await Promise.all([server.close(), hang.close(), httpsServer.close(), fixture.cleanup()]);
  rmSync(pkiDir, { recursive: true, force: true });
});

const run = (probe: corev1.Probe, c = container(), clock: Clock = realClock, containerId = '') =>
  runProbe({ probe, container: c, containerId, podIp: '127.0.0.1' }, fake().runtime, clock);

describe('httpGet', () => {
  const get = (
    path: string,
    port: number | string = server.port,
    extra: Partial<corev1.HTTPGetAction> = {},
  ) => probeWith({ httpGet: { path, port, ...extra } });

  it('succeeds on 2xx and fails on other status codes with the upstream message', async () => {
    await expect(run(get('/ok'))).resolves.toEqual({ result: 'success', output: 'fine' });
    await expect(run(get('/fail'))).resolves.toEqual({
      result: 'failure',
      output: 'HTTP probe failed with statuscode: 503',
    });
    await expect(run(get('/missing'))).resolves.toMatchObject({ result: 'failure' });
  });

  it('follows redirects to the same host and judges the final answer', async () => {
    await expect(run(get('/hop'))).resolves.toEqual({ result: 'success', output: 'fine' });
    await expect(run(get('/hop-fail'))).resolves.toMatchObject({ result: 'failure' });
    await expect(run(get('/loop'))).resolves.toMatchObject({
      result: 'failure',
      output: expect.stringContaining('stopped after 10 redirects'),
    });
  });

  it('does not follow a redirect to another host: success with a warning', async () => {
    await expect(run(get('/away'))).resolves.toEqual({
      result: 'warning',
      output: 'Probe terminated redirects, Response body: ',
    });
  });

  it('sends the kube-probe User-Agent and the configured headers, including Host', async () => {
    const outcome = await run(
      get('/echo', server.port, {
        httpHeaders: [
          { name: 'X-Probe', value: 'yes' },
          { name: 'Host', value: 'example.test' },
        ],
      }),
    );
    expect(outcome.result).toBe('success');
    expect(JSON.parse(outcome.output)).toMatchObject({
      'user-agent': probeUserAgent,
      'x-probe': 'yes',
      host: 'example.test',
    });
  });

  it('reads at most 10 KiB of the body', async () => {
    const outcome = await run(get('/big'));
    expect(outcome).toMatchObject({ result: 'success' });
    expect(outcome.output).toHaveLength(10 * 1024);
  });

  it('resolves a named container port', async () => {
    const c = container([{ name: 'http', containerPort: server.port }]);
    await expect(run(get('/ok', 'http'), c)).resolves.toMatchObject({ result: 'success' });
  });

  it('reports an unknown named port as a probe error without throwing', async () => {
    await expect(run(get('/ok', 'http'))).resolves.toEqual({
      result: 'error',
      output: 'port "http" not found in container "c"',
    });
  });

  it('uses HTTPS without verifying the certificate', async () => {
    await expect(run(get('/', httpsServer.port, { scheme: 'HTTPS' }))).resolves.toEqual({
      result: 'success',
      output: 'secure',
    });
  });

  it('fails with the dial error when the connection is refused', async () => {
    await expect(run(get('/healthz', refused))).resolves.toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${refused}/healthz": dial tcp 127.0.0.1:${refused}: connect: connection refused`,
    });
  });

  it('times out on a server that never answers', async () => {
    const outcome = await run(probeWith({ httpGet: { path: '/', port: hang.port } }, 0.2));
    expect(outcome).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${hang.port}/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });
});

describe('tcpSocket', () => {
  it('succeeds when the port accepts a connection', async () => {
    await expect(run(probeWith({ tcpSocket: { port: server.port } }))).resolves.toMatchObject({
      result: 'success',
    });
  });

  it('fails with the dial error when the connection is refused', async () => {
    await expect(run(probeWith({ tcpSocket: { port: refused } }))).resolves.toEqual({
      result: 'failure',
      output: `dial tcp 127.0.0.1:${refused}: connect: connection refused`,
    });
  });

  it('fails with an i/o timeout once the deadline passes before the connection opens', async () => {
    await expect(
      run(probeWith({ tcpSocket: { port: server.port } }), container(), expiredClock),
    ).resolves.toEqual({
      result: 'failure',
      output: `dial tcp 127.0.0.1:${server.port}: i/o timeout`,
    });
  });
});

describe('exec', () => {
  it('succeeds on exit 0 and fails with the output otherwise', async () => {
    fake().behaviours.forContainer(
      'exec-answers',
      behaviours.answerExec({
        'cat /tmp/healthy': {
          stderr: "cat: can't open '/tmp/healthy': No such file or directory\n",
          exitCode: 1,
        },
        true: { stdout: 'ok\n' },
      }),
    );
    const c = await fake().start('exec-answers');
    await expect(
      run(probeWith({ exec: { command: ['true'] } }), container(), realClock, c.containerId),
    ).resolves.toEqual({
      result: 'success',
      output: 'ok',
    });
    await expect(
      run(probeWith({ exec: { command: ['cat', '/tmp/healthy'] } }), container(), realClock, c.containerId),
    ).resolves.toEqual({
      result: 'failure',
      output: "cat: can't open '/tmp/healthy': No such file or directory",
    });
  });

  it('fails with "timed out" when the command outlives timeoutSeconds', async () => {
    const c = await fake().start('exec-slow');
    const outcome = await run(
      probeWith({ exec: { command: ['sleep', '30'] } }, 0.1),
      container(),
      realClock,
      c.containerId,
    );
    expect(outcome).toEqual({ result: 'failure', output: 'command "sleep 30" timed out' });
  });

  it('is a probe error when the container is gone', async () => {
    const outcome = await run(
      probeWith({ exec: { command: ['true'] } }),
      container(),
      realClock,
      'no-such-container',
    );
    expect(outcome.result).toBe('error');
  });
});

describe('other handlers', () => {
  it('answers grpc probes as unsupported', async () => {
    await expect(run(probeWith({ grpc: { port: 9000 } }))).resolves.toEqual({
      result: 'failure',
      output: 'grpc probes are not supported',
    });
  });

  it('treats a probe without a handler as a probe error', async () => {
    await expect(run(probeWith({}))).resolves.toEqual({
      result: 'error',
      output: 'missing probe handler for container "c"',
    });
  });
});
