/**
 * apiserver HTTP front benchmark: GET of one pod over HTTPS keep-alive beside a bare Node https
 * server answering the same bytes (same run, same client); LIST of 10k pods over HTTPS beside the
 * in-process registry list; and delivery latency of one write to 1000 concurrent HTTPS watchers,
 * with the server thread's CPU time per delivery.
 *
 * Run: `npx tsx bench/apiserver-http.bench.ts` (env BENCH_SCALE=0.1 for a quick run).
 */
import { Agent, createServer, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

import { resources, silentLogger, type corev1 } from '../packages/core/src/index.js';
import {
  InProcessApiClient,
  Registry,
  ResourceRegistry,
  startApiServer,
} from '../packages/apiserver/src/index.js';
import { ClusterPki } from '../packages/apiserver/src/pki/index.js';
import { MemoryStore } from '../packages/store-memory/src/index.js';

import { formatNumber, markdownTable } from './lib/markdownTable.js';
import { percentile } from './lib/percentile.js';
import { measureConcurrent, now } from './lib/timer.js';

const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const n = (count: number): number => Math.max(10, Math.round(count * scale));
const GETS = n(20_000);
const CONCURRENCY = 16;
const LIST_PODS = n(10_000);
const LIST_REPS = 5;
const WATCHERS = n(1000);
const WRITES = 20;

function pod(name: string, namespace: string): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench' } },
    spec: {
      containers: [{ name: 'main', image: 'busybox:1.35', command: ['sleep', '3600'] }],
      nodeName: 'node-1',
    },
  };
}

function get(agent: Agent, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks));
        else reject(new Error(`HTTP ${res.statusCode}`));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const dir = await mkdtemp(join(tmpdir(), 'tug-bench-http-'));
const pki = await ClusterPki.loadOrCreate({ dir, logger: silentLogger });
const tls = { key: pki.serving.keyPem, cert: pki.serving.certPem };
const store = new MemoryStore();
const registry = new Registry(store, new ResourceRegistry(), silentLogger);
const client = new InProcessApiClient(registry);
const server = await startApiServer({ registry, tls, watchHeartbeatMs: 60_000 });
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: pki.ca.certPem });
const rows: string[][] = [];

// 1. GET one pod: Tugboat versus a bare https server returning the same bytes.
for (const ns of ['list', 'watch']) await client.create(resources.Namespaces, { metadata: { name: ns } });
await client.create(resources.Pods, pod('bench-pod', 'default'));
const podUrl = `${server.url}/api/v1/namespaces/default/pods/bench-pod`;
const bytes = await get(agent, podUrl);
const bare = createServer(tls, (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(bytes);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `https://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
await measureConcurrent(n(2000), CONCURRENCY, () => get(agent, bareUrl)); // warm-up
await measureConcurrent(n(2000), CONCURRENCY, () => get(agent, podUrl));
const baseline = await measureConcurrent(GETS, CONCURRENCY, () => get(agent, bareUrl));
const tug = await measureConcurrent(GETS, CONCURRENCY, () => get(agent, podUrl));
const ratio = tug.opsPerSec / baseline.opsPerSec;
rows.push([
  `GET one pod, HTTPS keep-alive, ${CONCURRENCY} in flight (req/s)`,
  formatNumber(tug.opsPerSec),
  formatNumber(baseline.opsPerSec) + ' (bare https, same bytes)',
  `${formatNumber(ratio, 2)} (goal ≥ 0.5)`,
]);
bare.close();

// 2. LIST of 10k pods over HTTPS versus the registry's own list in process.
for (let i = 0; i < LIST_PODS; i++) await client.create(resources.Pods, pod(`p-${i}`, 'list'));
const listUrl = `${server.url}/api/v1/namespaces/list/pods`;
const httpMs: number[] = [];
const inProcMs: number[] = [];
for (let r = 0; r < LIST_REPS; r++) {
  let t = now();
  const body = await get(agent, listUrl);
  httpMs.push(now() - t);
  if ((JSON.parse(body.toString()) as { items: unknown[] }).items.length !== LIST_PODS)
    throw new Error('short list');
  t = now();
  await registry.list({ user: { name: 'bench', groups: [] }, namespace: 'list' }, resources.Pods, {});
  inProcMs.push(now() - t);
}
rows.push([
  `LIST ${formatNumber(LIST_PODS)} pods over HTTPS (median ms)`,
  formatNumber(percentile(httpMs, 50), 1),
  `${formatNumber(percentile(inProcMs, 50), 1)} (in-process registry list)`,
  formatNumber(percentile(httpMs, 50) / percentile(inProcMs, 50), 2) + '× in-process',
]);

// 3. 1000 concurrent HTTPS watchers, one write at a time: delivery latency of each event to each
// watcher, from the write call to the watcher's parse of the line. The watchers run in a worker
// thread so their TLS reads do not share the server's event loop; each is a plain HTTP/1.1 client
// on its own TLS connection that de-chunks the body and splits lines, and the worker reports
// deliveries in batches so that reporting them costs the server's thread next to nothing.
const watcherCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:tls');
const { performance } = require('node:perf_hooks');
const url = new URL(workerData.url);
const marker = Buffer.from('"name":"w-');
const stamp = () => performance.timeOrigin + performance.now();
let batch = [];
const report = (name, at) => {
  if (batch.length === 0) setImmediate(() => { parentPort.postMessage(batch); batch = []; });
  batch.push([name, at]);
};
const onLine = (line) => {
  const at = stamp();
  const i = line.indexOf(marker);
  if (i >= 0) report('w-' + line.toString('latin1', i + marker.length, line.indexOf(34, i + marker.length)), at);
};
const open = () => new Promise((resolve, reject) => {
  const socket = connect({ host: url.hostname, port: Number(url.port), ca: workerData.ca, servername: 'localhost' });
  let buf = Buffer.alloc(0);
  let head = true;
  let left = 0; // bytes of the current chunk still to come, its closing CRLF included
  let line = [];
  socket.on('secureConnect', () => socket.write('GET ' + url.pathname + url.search + ' HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\n\\r\\n'));
  socket.on('error', reject);
  socket.on('data', (data) => {
    buf = buf.length === 0 ? data : Buffer.concat([buf, data]);
    if (head) {
      const end = buf.indexOf('\\r\\n\\r\\n');
      if (end < 0) return;
      const text = buf.toString('latin1', 0, end);
      if (!text.startsWith('HTTP/1.1 200') || !/transfer-encoding: chunked/i.test(text)) return reject(new Error(text));
      head = false;
      buf = buf.subarray(end + 4);
      resolve(socket);
    }
    while (buf.length > 0) {
      if (left === 0) {
        const end = buf.indexOf('\\r\\n');
        if (end < 0) return;
        left = parseInt(buf.toString('latin1', 0, end), 16) + 2;
        buf = buf.subarray(end + 2);
      }
      const take = Math.min(left, buf.length);
      let part = buf.subarray(0, Math.min(take, Math.max(0, left - 2)));
      left -= take;
      buf = buf.subarray(take);
      for (let nl = part.indexOf(10); nl >= 0; nl = part.indexOf(10)) {
        line.push(part.subarray(0, nl));
        onLine(line.length === 1 ? line[0] : Buffer.concat(line));
        line = [];
        part = part.subarray(nl + 1);
      }
      if (part.length > 0) line.push(part);
    }
  });
});
(async () => {
  const sockets = [];
  // Connect in batches: a thousand simultaneous TLS handshakes overflow the listen backlog.
  while (sockets.length < workerData.count) {
    const batch = Math.min(50, workerData.count - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, open))));
  }
  parentPort.postMessage('ready');
  parentPort.on('message', () => {
    for (const s of sockets) { s.on('error', () => undefined); s.destroy(); }
    parentPort.close();
  });
})();
`;
/** CPU milliseconds of the calling thread (Linux), else of the whole process. */
function threadCpuMs(): number {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}
const writtenAt = new Map<string, number>();
const latencies: number[] = [];
let delivered = 0;
const stamp = (): number => performance.timeOrigin + performance.now();
const watchUrl = `${server.url}/api/v1/namespaces/watch/pods?watch=true&resourceVersion=${await store.currentRevision()}`;
const worker = new Worker(watcherCode, {
  eval: true,
  workerData: { url: watchUrl, ca: pki.ca.certPem, count: WATCHERS },
});
await new Promise<void>((resolve, reject) => {
  worker.on('error', reject);
  worker.on('message', (msg: 'ready' | [string, number][]) => {
    if (msg === 'ready') {
      resolve();
      return;
    }
    for (const [name, at] of msg) {
      const written = writtenAt.get(name);
      if (written === undefined) continue;
      latencies.push(at - written);
      delivered++;
    }
  });
});
const cpuBefore = threadCpuMs();
for (let w = 0; w < WRITES; w++) {
  const name = `w-${w}`;
  const target = delivered + WATCHERS;
  writtenAt.set(name, stamp());
  await client.create(resources.Pods, pod(name, 'watch'));
  const deadline = now() + 30_000;
  while (delivered < target && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
}
const serverCpuMs = threadCpuMs() - cpuBefore;
worker.postMessage('stop');
await new Promise((resolve) => worker.once('exit', resolve));
rows.push([
  `${formatNumber(WATCHERS)} HTTPS watchers × ${WRITES} writes: delivery (ms)`,
  `p50 ${formatNumber(percentile(latencies, 50), 1)} / p99 ${formatNumber(percentile(latencies, 99), 1)}`,
  `${formatNumber(latencies.length)} of ${formatNumber(WATCHERS * WRITES)} delivered`,
  `p99 goal ≤ 50 ms`,
]);
rows.push([
  `server thread CPU per delivery (µs), same watch run`,
  formatNumber((serverCpuMs * 1000) / Math.max(1, latencies.length), 1),
  `${formatNumber(serverCpuMs)} ms for the writes and their fan-out`,
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
]);

process.stdout.write(
  `\napiserver HTTP front benchmark — ${new Date().toISOString()}, Node ${process.version}, scale ${scale}\n\n`,
);
process.stdout.write(`${markdownTable(['measure', 'Tugboat', 'baseline', 'ratio / goal'], rows)}\n`);
agent.destroy();
await server.close();
await store.close();
await rm(dir, { recursive: true, force: true });
