import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { Clock, EventType, PodSandboxConfig, corev1 } from '@tugboat/core';
import { FakeBehaviours, FakeRuntime, type FakeClock } from '@tugboat/runtime-fake';

import type { ProbedContainer } from '../src/prober/ProbeManager.js';

/** An event as the recorder received it. */
export interface RecordedEvent {
  readonly object: string;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

/** A stand-in for the EventRecorder that keeps what it is given. */
export function recordingEvents(): {
  recorder: { event(object: corev1.Pod, type: EventType, reason: string, message: string): void };
  events: RecordedEvent[];
} {
  const events: RecordedEvent[] = [];
  return {
    events,
    recorder: {
      event: (object, type, reason, message) => {
        events.push({ object: `${object.kind ?? ''}/${object.metadata?.name ?? ''}`, type, reason, message });
      },
    },
  };
}

/** Polls `condition` until it holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A loopback HTTP server answering with `handler`; `close()` also drops open connections. */
export interface TestServer {
  readonly port: number;
  readonly requests: http.IncomingMessage[];
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 with a free port. */
export async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  create: (listener: http.RequestListener) => http.Server = (l) => http.createServer(l),
): Promise<TestServer> {
  const requests: http.IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = create((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    s.close(() => {
      resolve();
    }),
  );
  return port;
}

/** A clock whose timers fire on the next turn: every deadline has already passed. */
export const expiredClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn) => {
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) fn();
    });
    return { cancel: () => (cancelled = true) };
  },
  clearTimeout: (handle) => {
    (handle as { cancel?: () => void }).cancel?.();
  },
};

/** A fake runtime with busybox present, and a way to start containers in one sandbox. */
export class FakeNodeFixture {
  readonly behaviours = new FakeBehaviours();
  readonly runtime: FakeRuntime;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'tug-probe-'));
  private sandbox: { id: string; config: PodSandboxConfig } | undefined;
  private attempts = 0;

  constructor(readonly clock?: FakeClock) {
    this.runtime = new FakeRuntime({
      ...(clock ? { clock } : {}),
      behaviours: this.behaviours,
      images: ['busybox:1.35'],
    });
  }

  /** Creates and starts a container (a fresh instance on every call) and describes it for the prober. */
  async start(name: string, command: readonly string[] = ['sleep', '3600']): Promise<ProbedContainer> {
    if (this.sandbox === undefined) {
      const config: PodSandboxConfig = {
        metadata: { name: 'web', uid: 'uid-web', namespace: 'default', attempt: 0 },
        logDirectory: this.dir,
      };
      this.sandbox = { id: await this.runtime.runPodSandbox(config), config };
    }
    const attempt = this.attempts++;
    const id = await this.runtime.createContainer(
      this.sandbox.id,
      { metadata: { name, attempt }, image: 'busybox:1.35', command, logPath: `${name}/${attempt}.log` },
      this.sandbox.config,
    );
    await this.runtime.startContainer(id);
    const status = await this.runtime.containerStatus(id);
    return { name, containerId: id, startedAt: status.startedAt };
  }

  /** Removes the sandbox and the log directory. */
  async cleanup(): Promise<void> {
    if (this.sandbox !== undefined) await this.runtime.removePodSandbox(this.sandbox.id);
    await this.runtime.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A pod with the given containers (uid `uid-web`). */
export function podWith(containers: corev1.Container[], extra: Partial<corev1.PodSpec> = {}): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
    spec: { containers, ...extra },
  };
}
