import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ClusterPki, type CertificateAndKey } from '@tugboat/apiserver';
import { ApiError, silentLogger, type corev1 } from '@tugboat/core';
import { FakeRuntime } from '@tugboat/runtime-fake';
import WebSocket from 'ws';

import { containerLogPath, podLogDir } from '../src/internal/paths.js';
import { KubeletServer, type ContainerLocator, type LocatedContainer } from '../src/server/KubeletServer.js';

/** TLS material for a kubelet server test: the cluster CA, the kubelet's serving pair, the apiserver's client pair. */
export interface TestPki {
  readonly caPem: string;
  readonly serving: CertificateAndKey;
  readonly client: CertificateAndKey;
}

/** Issues a cluster PKI in `dir`: its serving certificate covers 127.0.0.1, so it serves as the kubelet's. */
export async function testPki(dir: string): Promise<TestPki> {
  const pki = await ClusterPki.loadOrCreate({ dir: join(dir, 'pki') });
  const client = await pki.issueClientCertificate('kube-apiserver-kubelet-client', ['system:masters']);
  return { caPem: pki.ca.certPem, serving: pki.serving, client };
}

/** A pod object as the kubelet would hold it. */
export function testPod(name: string, containers: readonly string[], nodeName = 'node-1'): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'busybox:1.35' })) },
    status: { phase: 'Running', startTime: '2026-11-27T05:00:00Z' },
  };
}

/** A ContainerLocator over containers the test started itself. */
export class TestLocator implements ContainerLocator {
  readonly podList: corev1.Pod[] = [];
  private readonly instances = new Map<string, { id: string; logPath: string }[]>();

  constructor(private readonly runtime: FakeRuntime) {}

  add(pod: corev1.Pod, container: string, id: string, logPath: string): void {
    if (!this.podList.includes(pod)) this.podList.push(pod);
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}/${container}`;
    this.instances.set(key, [...(this.instances.get(key) ?? []), { id, logPath }]);
  }

  async locate(
    namespace: string,
    podName: string,
    name: string | undefined,
    previous: boolean,
  ): Promise<LocatedContainer> {
    const pod = this.podList.find((p) => p.metadata?.namespace === namespace && p.metadata.name === podName);
    if (pod === undefined) throw new ApiError('NotFound', `pod "${podName}" not found`);
    const containerName = name ?? pod.spec?.containers[0]?.name ?? '';
    const all = this.instances.get(`${namespace}/${podName}/${containerName}`) ?? [];
    const found = previous ? all[all.length - 2] : all[all.length - 1];
    if (found === undefined) {
      throw new ApiError(
        'BadRequest',
        previous
          ? `previous terminated container "${containerName}" in pod "${podName}" not found`
          : `container "${containerName}" in pod "${podName}" is waiting to start: ContainerCreating`,
      );
    }
    const status = await this.runtime.containerStatus(found.id);
    return {
      podUid: pod.metadata?.uid ?? '',
      containerName,
      containerId: found.id,
      logPath: found.logPath,
      running: status.state === 'CONTAINER_RUNNING',
    };
  }

  pods(): readonly corev1.Pod[] {
    return this.podList;
  }
}

/** A FakeRuntime, a locator and a KubeletServer on a free loopback port; `close` undoes it all. */
export interface ServerFixture {
  readonly dir: string;
  readonly pki: TestPki;
  readonly runtime: FakeRuntime;
  readonly locator: TestLocator;
  readonly server: KubeletServer;
  readonly port: number;
  /** Starts a container (a new attempt each call) of `pod` running `script` under `sh -c` (`stdin`: open for attach, once). */
  run(
    pod: corev1.Pod,
    container: string,
    script: string,
    options?: { readonly stdin?: boolean },
  ): Promise<{ id: string; logPath: string }>;
  close(): Promise<void>;
}

/** Starts a fixture (a pod sandbox is made per pod on its first container). */
export async function startServerFixture(): Promise<ServerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tug-kubelet-server-'));
  const pki = await testPki(dir);
  const runtime = new FakeRuntime({ images: ['busybox:1.35'] });
  const locator = new TestLocator(runtime);
  const server = new KubeletServer({
    nodeName: 'node-1',
    runtime,
    locator,
    tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, clientCaPem: pki.caPem },
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    followPollMs: 20,
  });
  const port = await server.start();
  const sandboxes = new Map<string, string>();
  const attempts = new Map<string, number>();
  return {
    dir,
    pki,
    runtime,
    locator,
    server,
    port,
    async run(pod, container, script, options = {}) {
      const logDirectory = podLogDir(join(dir, 'root'), pod);
      const meta = pod.metadata ?? {};
      const sandboxConfig = {
        metadata: { name: meta.name ?? '', namespace: meta.namespace ?? '', uid: meta.uid ?? '', attempt: 0 },
        logDirectory,
      };
      let sandbox = sandboxes.get(meta.uid ?? '');
      if (sandbox === undefined) {
        sandbox = await runtime.runPodSandbox(sandboxConfig);
        sandboxes.set(meta.uid ?? '', sandbox);
      }
      const key = `${meta.uid ?? ''}/${container}`;
      const attempt = attempts.get(key) ?? 0;
      attempts.set(key, attempt + 1);
      const logPath = containerLogPath(container, attempt);
      const id = await runtime.createContainer(
        sandbox,
        {
          metadata: { name: container, attempt },
          image: 'busybox:1.35',
          command: ['sh', '-c', script],
          logPath,
          ...(options.stdin ? { stdin: true, stdinOnce: true } : {}),
        },
        sandboxConfig,
      );
      await runtime.startContainer(id);
      const abs = join(logDirectory, logPath);
      locator.add(pod, container, id, abs);
      return { id, logPath: abs };
    },
    async close() {
      await server.close();
      for (const id of sandboxes.values()) await runtime.removePodSandbox(id);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One HTTPS answer from the kubelet, read in full. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** GETs `path` from the kubelet presenting `cert` (the client pair by default; `null` for none). */
export function get(
  fixture: ServerFixture,
  path: string,
  cert: CertificateAndKey | null = fixture.pki.client,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions = {
      host: '127.0.0.1',
      port: fixture.port,
      path,
      ca: fixture.pki.caPem,
      ...(cert !== null ? { cert: cert.certPem, key: cert.keyPem } : {}),
    };
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          text: Buffer.concat(chunks).toString(),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `pred` until it holds, failing with `what` after a deadline. */
export async function until(
  pred: () => boolean | Promise<boolean>,
  what: string,
  deadlineMs = 10_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What an exec over WebSocket produced. */
export interface ExecOutcome {
  readonly protocol: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: Record<string, unknown> | undefined;
}

/** Runs an exec against the kubelet over WebSocket, sending `stdin` then half-closing it (v5). */
export function execWs(
  fixture: ServerFixture,
  path: string,
  stdin?: string,
  protocols: readonly string[] = ['v5.channel.k8s.io'],
): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${fixture.port}${path}`, [...protocols], {
      ca: fixture.pki.caPem,
      cert: fixture.pki.client.certPem,
      key: fixture.pki.client.keyPem,
    });
    const out = { stdout: '', stderr: '', status: undefined as Record<string, unknown> | undefined };
    ws.on('open', () => {
      if (stdin === undefined) return;
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]));
      if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([255, 0]));
    });
    ws.on('message', (data: Buffer) => {
      const payload = data.subarray(1).toString();
      if (data[0] === 1) out.stdout += payload;
      else if (data[0] === 2) out.stderr += payload;
      else if (data[0] === 3) out.status = JSON.parse(payload) as Record<string, unknown>;
    });
    ws.on('unexpected-response', (_req, res) => {
      reject(new Error(`exec upgrade refused: ${res.statusCode ?? 0}`));
    });
    ws.on('error', reject);
    ws.on('close', () => {
      resolve({ protocol: ws.protocol, ...out });
    });
  });
}
