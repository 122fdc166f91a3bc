import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { realClock, silentLogger } from '@tugboat/core';

import { ProbeManager, type ProbedContainer } from '../src/prober/ProbeManager.js';
import {
  FakeNodeFixture,
  closedPort,
  podWith,
  recordingEvents,
  startServer,
  waitFor,
  type RecordedEvent,
  type TestServer,
} from './proberHarness.js';

const uid = 'uid-web';
const running = (name: string, id = `${name}-1`): ProbedContainer => ({
  name,
  containerId: id,
  startedAt: Date.now(),
});

let fixture: FakeNodeFixture;
let status: number;
let server: TestServer;
let hang: TestServer;
let events: RecordedEvent[];
let results: string[];
let manager: ProbeManager;

beforeAll(async () => {
  fixture = new FakeNodeFixture();
  server = await startServer((_req, res) => res.writeHead(status).end());
  hang = await startServer(() => undefined);
});

afterAll(async () => {
  await Promise.all([server.close(), hang.close(), fixture.cleanup()]);
});

beforeEach(() => {
  status = 503;
  const recorded = recordingEvents();
  events = recorded.events;
  results = [];
  manager = new ProbeManager({
    runtime: fixture.runtime,
    clock: realClock,
    logger: silentLogger,
    recorder: recorded.recorder,
    onResult: (podUid) => results.push(podUid),
  });
});

afterEach(() => {
  manager.stop();
});

describe('probes over the network', () => {
  it('makes a container ready once its HTTP endpoint answers 200 after 503s', async () => {
    const pod = podWith([
      {
        name: 'web',
        image: 'busybox:1.35',
        ports: [{ name: 'http', containerPort: server.port }],
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 0.05 },
      },
    ]);
    manager.syncPod(pod, [running('web')], '127.0.0.1');
    await waitFor(() => events.length >= 2, 'failed readiness probes');
    expect(manager.isReady(uid, 'web')).toBe(false);
    expect(events[0]).toEqual({
      object: 'Pod/web',
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    });
    status = 200;
    await waitFor(() => manager.isReady(uid, 'web'), 'readiness');
    expect(results).toContain(uid);
    expect(server.requests.at(-1)?.headers['user-agent']).toBe('kube-probe/1.32');
  });

  it('restarts a container whose TCP port refuses connections', async () => {
    const port = await closedPort();
    const pod = podWith([
      {
        name: 'db',
        image: 'busybox:1.35',
        livenessProbe: { tcpSocket: { port }, periodSeconds: 0.05, failureThreshold: 2 },
      },
    ]);
    manager.syncPod(pod, [running('db')], '127.0.0.1');
    await waitFor(() => results.length > 0, 'the liveness result');
    expect(manager.takeRestart(uid, 'db', 'db-1')).toEqual({
      message: 'Container db failed liveness probe, will be restarted',
    });
    expect(events.map((e) => e.message)).toContain(
      `Liveness probe failed: dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
  });

  it("does not let one container's stuck probe hold up another's", async () => {
    status = 200;
    const pod = podWith([
      {
        name: 'stuck',
        image: 'busybox:1.35',
        readinessProbe: {
          httpGet: { path: '/in-flight', port: hang.port },
          periodSeconds: 0.05,
          timeoutSeconds: 30,
        },
      },
      {
        name: 'fine',
        image: 'busybox:1.35',
        readinessProbe: {
          httpGet: { path: '/', port: server.port },
          periodSeconds: 0.05,
          successThreshold: 3,
        },
      },
    ]);
    const mine = (): typeof hang.requests => hang.requests.filter((r) => r.url === '/in-flight');
    manager.syncPod(pod, [running('stuck'), running('fine')], '127.0.0.1');
    await waitFor(() => mine().length > 0, 'the stuck probe to be sent');
    await waitFor(() => manager.isReady(uid, 'fine'), 'the healthy container to be ready');
    // Still the one request: the stuck probe is in flight (its timeout is 30 s) all along.
    expect(mine()).toHaveLength(1);
    expect(manager.isReady(uid, 'stuck')).toBe(false);
  });

  it('fails a readiness probe that outlives timeoutSeconds, and keeps probing', async () => {
    const pod = podWith([
      {
        name: 'slow',
        image: 'busybox:1.35',
        readinessProbe: { httpGet: { path: '/', port: hang.port }, periodSeconds: 0.05, timeoutSeconds: 0.1 },
      },
    ]);
    const before = hang.requests.length;
    manager.syncPod(pod, [running('slow')], '127.0.0.1');
    await waitFor(() => events.length >= 2, 'two timed-out probes');
    expect(hang.requests.length - before).toBeGreaterThanOrEqual(2);
    expect(events[0]?.message).toBe(
      `Readiness probe failed: Get "http://127.0.0.1:${hang.port}/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    );
    expect(manager.isReady(uid, 'slow')).toBe(false);
  });

  it('aborts an HTTP probe in flight when the pod is removed', async () => {
    const pod = podWith([
      {
        name: 'stuck',
        image: 'busybox:1.35',
        readinessProbe: {
          httpGet: { path: '/stuck', port: hang.port },
          periodSeconds: 0.05,
          timeoutSeconds: 30,
        },
      },
    ]);
    // Its own path: a straggler from an earlier test's probe may still reach the shared server.
    const mine = (): typeof hang.requests => hang.requests.filter((r) => r.url === '/stuck');
    manager.syncPod(pod, [running('stuck')], '127.0.0.1');
    await waitFor(() => mine().length > 0, 'the probe to be sent');
    const request = mine().at(-1);
    manager.removePod(uid);
    await waitFor(() => request?.socket.destroyed === true, 'the probe connection to close');
    expect(mine()).toHaveLength(1);
  });
});
