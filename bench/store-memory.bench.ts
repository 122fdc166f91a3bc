/**
 * store-memory benchmark: create/get/update/list throughput and watch fan-out latency, each beside
 * a baseline measured in the same run — a plain `Map` that `structuredClone`s values in and out
 * (and, for fan-out, calls 1000 listeners synchronously with a cloned event).
 *
 * Run: `npx tsx bench/store-memory.bench.ts` (env BENCH_SCALE=0.1 for a quick run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import type { KeyValue, StoreEvent } from '../packages/core/src/index.js';
import { MemoryStore } from '../packages/store-memory/src/index.js';

import { formatNumber, markdownTable } from './lib/markdownTable.js';
import { percentile } from './lib/percentile.js';
import { measureConcurrent, measureOps, now, type Throughput } from './lib/timer.js';

const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const n = (count: number): number => Math.max(10, Math.round(count * scale));
const KEYS = n(50_000);
const GETS = n(200_000);
const LISTS = n(300);
const WATCHERS = 1000;
const EVENTS = n(10_000);
const namespaces = 20;

/** A pod-sized JSON value (~1 KiB), as the apiserver would store. */
function podJson(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${i}`,
      namespace: `ns-${i % namespaces}`,
      uid: `uid-${i}`,
      labels: { app: `app-${i % 7}` },
    },
    spec: {
      containers: [{ name: 'main', image: 'busybox:1.35', command: ['sleep', '3600'] }],
      nodeName: `node-${i % 5}`,
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      podIP: `10.0.${i % 250}.${i % 200}`,
    },
    padding: 'x'.repeat(600),
  });
}
// Keys are written in a scattered order so the index does real insertion work.
const keyOf = (i: number): string => `/registry/pods/ns-${i % namespaces}/pod-${(i * 7919) % KEYS}`;

/** The baseline: a Map holding cloned records, listing by filter + sort. */
class MapBaseline {
  private readonly map = new Map<string, KeyValue>();
  private revision = 0;
  create(key: string, value: string): KeyValue {
    if (this.map.has(key)) throw new Error('exists');
    const rev = ++this.revision;
    const kv = { key, value, createRevision: rev, modRevision: rev };
    this.map.set(key, structuredClone(kv));
    return kv;
  }
  get(key: string): KeyValue | undefined {
    const kv = this.map.get(key);
    return kv === undefined ? undefined : structuredClone(kv);
  }
  update(key: string, value: string, expected: number): KeyValue {
    const old = this.map.get(key);
    if (old?.modRevision !== expected) throw new Error('conflict');
    const kv = { key, value, createRevision: old.createRevision, modRevision: ++this.revision };
    this.map.set(key, structuredClone(kv));
    return kv;
  }
  list(prefix: string, limit: number): KeyValue[] {
    const keys = [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort();
    return keys.slice(0, limit).map((k) => structuredClone(this.map.get(k) as KeyValue));
  }
}

type Row = [operation: string, store: string, baseline: string, ratio: string];
const rows: Row[] = [];
function throughputRow(name: string, store: Throughput, baseline: Throughput | undefined): void {
  rows.push([
    `${name} (ops/s)`,
    formatNumber(store.opsPerSec),
    baseline === undefined ? '—' : formatNumber(baseline.opsPerSec),
    baseline === undefined ? '—' : `${formatNumber(store.opsPerSec / baseline.opsPerSec, 2)}×`,
  ]);
}

async function throughput(): Promise<void> {
  const store = await MemoryStore.open();
  const map = new MapBaseline();
  const values = Array.from({ length: KEYS }, (_, i) => podJson(i));
  const revs = new Map<string, number>();
  throughputRow(
    'create',
    await measureOps(KEYS, async (i) =>
      revs.set(keyOf(i), (await store.create(keyOf(i), values[i] as string)).modRevision),
    ),
    await measureOps(KEYS, (i) => map.create(keyOf(i), values[i] as string)),
  );
  const pick = (i: number): string => keyOf((i * 104_729) % KEYS);
  throughputRow(
    'get',
    await measureOps(GETS, (i) => store.get(pick(i))),
    await measureOps(GETS, (i) => map.get(pick(i))),
  );
  const mapRevs = new Map<string, number>();
  for (let i = 0; i < KEYS; i++) mapRevs.set(keyOf(i), map.get(keyOf(i))?.modRevision ?? 0);
  throughputRow(
    'update (CAS)',
    await measureOps(KEYS, async (i) =>
      revs.set(
        keyOf(i),
        (await store.update(keyOf(i), values[(i + 1) % KEYS] as string, revs.get(keyOf(i)) ?? 0)).modRevision,
      ),
    ),
    await measureOps(KEYS, (i) =>
      mapRevs.set(
        keyOf(i),
        map.update(keyOf(i), values[(i + 1) % KEYS] as string, mapRevs.get(keyOf(i)) ?? 0).modRevision,
      ),
    ),
  );
  const prefix = (i: number): string => `/registry/pods/ns-${i % namespaces}/`;
  throughputRow(
    `list prefix, limit 500 (of ${formatNumber(KEYS / namespaces)})`,
    await measureOps(LISTS, (i) => store.list(prefix(i), { limit: 500 })),
    await measureOps(LISTS, (i) => map.list(prefix(i), 500)),
  );
  await store.close();

  const dataDir = await mkdtemp(join(tmpdir(), 'tugboat-bench-'));
  const durable = await MemoryStore.open({ dataDir });
  const writes = n(20_000);
  throughputRow(
    'create, dataDir + fsync batch, 64 in flight',
    await measureConcurrent(writes, 64, (i) => durable.create(`/d/${i}`, values[i % KEYS] as string)),
    undefined,
  );
  await durable.close();
  await rm(dataDir, { recursive: true, force: true });
}

async function fanOut(): Promise<void> {
  // Store: 1000 watchers on one prefix, every event goes to all of them.
  const store = await MemoryStore.open({ historyLimit: EVENTS * 2 });
  const writtenAt = new Float64Array(EVENTS + 2);
  const latencies = new Float64Array(WATCHERS * EVENTS);
  let received = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const subscriptions = Array.from({ length: WATCHERS }, () =>
    store.watch('/registry/pods/', 0).subscribe((event: StoreEvent) => {
      latencies[received++] = now() - (writtenAt[event.kv.modRevision] ?? 0);
      if (received === WATCHERS * EVENTS) allDone();
    }),
  );
  const value = podJson(1);
  const start = now();
  for (let i = 0; i < EVENTS; i++) {
    writtenAt[i + 1] = now();
    await store.create(`/registry/pods/ns-0/p${i}`, value);
  }
  await done;
  const storeMs = now() - start;
  for (const s of subscriptions) s.unsubscribe();
  await store.close();

  // Baseline: synchronous listeners, each handed a structured clone of the event.
  const map = new MapBaseline();
  const baseLatencies = new Float64Array(WATCHERS * EVENTS);
  let baseReceived = 0;
  const listeners = Array.from({ length: WATCHERS }, () => (event: StoreEvent, at: number) => {
    if (event.kv.key.startsWith('/registry/pods/')) baseLatencies[baseReceived++] = now() - at;
  });
  const baseStart = now();
  for (let i = 0; i < EVENTS; i++) {
    const at = now();
    const kv = map.create(`/registry/pods/ns-0/p${i}`, value);
    for (const listener of listeners) listener(structuredClone({ type: 'create', kv }), at);
  }
  const baseMs = now() - baseStart;

  const deliveries = `${formatNumber(WATCHERS)} watchers × ${formatNumber(EVENTS)} events`;
  rows.push([
    `watch fan-out throughput, ${deliveries} (deliveries/s)`,
    formatNumber((received / storeMs) * 1000),
    formatNumber((baseReceived / baseMs) * 1000),
    `${formatNumber(received / storeMs / (baseReceived / baseMs), 2)}×`,
  ]);
  for (const p of [50, 99]) {
    const s = percentile(latencies, p);
    const b = percentile(baseLatencies, p);
    rows.push([
      `watch delivery latency p${p} (ms, lower is better)`,
      formatNumber(s, 3),
      formatNumber(b, 3),
      `${formatNumber(s / b, 2)}×`,
    ]);
  }
}

await throughput();
await fanOut();
process.stdout.write(
  `store-memory benchmark — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n\n`,
);
process.stdout.write(
  `${markdownTable(['operation', 'store-memory', 'baseline Map', 'ratio (store ÷ baseline)'], rows)}\n`,
);
