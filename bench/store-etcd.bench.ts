/**
 * store-etcd benchmark: EtcdStore against the raw etcd3 client doing the same etcd operations on
 * the same etcd — a create as a transaction guarded on create_revision = 0, a get of one key, a
 * prefix list of 1000 keys — with the same ~1 KiB JSON values, at 1 and 64 requests in flight.
 * Each cell is the median of six paired runs in ABBA order, and the ratio the median of the
 * per-pair ratios, which damps the noise of a shared machine; the client CPU time per operation
 * (this process only, etcd excluded) shows the Store layer's own cost directly. The ratio store/raw is the overhead of the Store layer; the goal is ≥ 0.9.
 *
 * Both sides decode values to strings, as a caller of either needs them.
 *
 * Starts its own etcd (process mode, data on tmpfs when available).
 * Run: `npx tsx bench/store-etcd.bench.ts` (env BENCH_SCALE=0.2 for a quick run).
 */
import { cpus } from 'node:os';

import { EtcdStore } from '../packages/store-etcd/src/index.js';
import { startEtcd } from '../packages/testing/src/etcd/startEtcd.js';

import { rawEtcd, type RawEtcd } from './lib/etcd-raw.js';
import { formatNumber, markdownTable } from './lib/markdownTable.js';
import { measureConcurrent, type Throughput } from './lib/timer.js';

const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const n = (count: number): number => Math.max(10, Math.round(count * scale));
const prefix = '/registry';
const rounds = 6;

/** A pod-sized JSON value (~1 KiB). */
function podJson(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'bench', uid: `uid-${i}`, labels: { app: `app-${i % 7}` } },
    spec: {
      containers: [{ name: 'main', image: 'busybox:1.35', command: ['sleep', '3600'] }],
      nodeName: `node-${i % 5}`,
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      podIP: `10.0.${i % 250}.${i % 200}`,
    },
    padding: 'x'.repeat(640),
  });
}

interface Side {
  create(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  list(keyPrefix: string): Promise<number>;
}

function rawSide(raw: RawEtcd): Side {
  return {
    create: (key, value) =>
      raw
        .if(prefix + key, 'Create', '==', 0)
        .then(raw.put(prefix + key).value(value))
        .commit(),
    get: (key) => raw.get(prefix + key).string(),
    list: async (keyPrefix) =>
      Object.keys(
        await raw
          .getAll()
          .prefix(prefix + keyPrefix)
          .strings(),
      ).length,
  };
}

function storeSide(store: EtcdStore): Side {
  return {
    create: (key, value) => store.create(key, value),
    get: (key) => store.get(key),
    list: async (keyPrefix) => (await store.list(keyPrefix)).items.length,
  };
}

type Op = 'creates/s' | 'gets/s' | 'lists of 1000 keys/s';

/** One measured run: throughput and the client process's CPU time per operation. */
interface Run extends Throughput {
  readonly cpuUsPerOp: number;
}

async function measure(op: Op, side: Side, tag: string, inFlight: number): Promise<Run> {
  const cpu = process.cpuUsage();
  const t = await run(op, side, tag, inFlight);
  const used = process.cpuUsage(cpu);
  return { ...t, cpuUsPerOp: (used.user + used.system) / t.ops };
}

function run(op: Op, side: Side, tag: string, inFlight: number): Promise<Throughput> {
  switch (op) {
    case 'creates/s': {
      const count = n(inFlight === 1 ? 300 : 2_000);
      return measureConcurrent(count, inFlight, (i) => side.create(`/bench/create/${tag}/${i}`, podJson(i)));
    }
    case 'gets/s': {
      const count = n(inFlight === 1 ? 600 : 4_000);
      return measureConcurrent(count, inFlight, (i) =>
        side.get(`/bench/list/${String(i % 1000).padStart(4, '0')}`),
      );
    }
    case 'lists of 1000 keys/s': {
      const count = n(inFlight === 1 ? 20 : 60);
      return measureConcurrent(count, inFlight, async () => {
        const got = await side.list('/bench/list/');
        if (got !== 1000) throw new Error(`listed ${got} keys, expected 1000`);
      });
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const etcd = await startEtcd({ mode: 'process' });
  const raw = rawEtcd(etcd.endpoints);
  const store = await EtcdStore.connect({ endpoints: [etcd.endpoints], prefix, requestTimeoutMs: 60_000 });
  try {
    const seedRaw = rawSide(raw);
    await measureConcurrent(1000, 32, (i) =>
      seedRaw.create(`/bench/list/${String(i).padStart(4, '0')}`, podJson(i)),
    );
    const sides = { raw: rawSide(raw), store: storeSide(store) };
    // Warm both connections and the JIT before measuring.
    for (const side of Object.values(sides))
      await measureConcurrent(200, 8, (i) => side.get(`/bench/list/${String(i).padStart(4, '0')}`));

    const rows: string[][] = [];
    let tagNo = 0;
    for (const op of ['creates/s', 'gets/s', 'lists of 1000 keys/s'] as const) {
      for (const inFlight of [1, 64]) {
        const runs = { raw: [] as Run[], store: [] as Run[] };
        const ratios: number[] = [];
        for (let round = 0; round < rounds; round++) {
          // ABBA order cancels drift in the machine's load between the two sides.
          const order = round % 2 === 0 ? (['raw', 'store'] as const) : (['store', 'raw'] as const);
          const pair: Partial<Record<'raw' | 'store', Run>> = {};
          for (const name of order)
            pair[name] = await measure(op, sides[name], `${name}-${tagNo++}`, inFlight);
          if (pair.raw && pair.store) {
            runs.raw.push(pair.raw);
            runs.store.push(pair.store);
            ratios.push(pair.store.opsPerSec / pair.raw.opsPerSec);
          }
        }
        const ops = (side: Run[]): string => formatNumber(median(side.map((r) => r.opsPerSec)));
        const cpuUs = (side: Run[]): string => formatNumber(median(side.map((r) => r.cpuUsPerOp)));
        rows.push([
          op,
          String(inFlight),
          ops(runs.raw),
          ops(runs.store),
          formatNumber(median(ratios), 2),
          `${cpuUs(runs.raw)} / ${cpuUs(runs.store)}`,
        ]);
      }
    }
    const cpu = cpus()[0]?.model ?? 'cpu';
    process.stdout.write(
      `\n## store-etcd\n\nEtcdStore vs the raw etcd3 client — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpu}; etcd 3.4.23, 1 member, data on tmpfs; ~1 KiB JSON values; medians of ${rounds} paired runs (ABBA order).\n\n`,
    );
    process.stdout.write(
      `${markdownTable(['operation', 'in flight', 'raw etcd3', 'EtcdStore', 'ratio store/raw', 'client CPU µs/op raw / store'], rows)}\n`,
    );
  } finally {
    raw.close();
    await store.close();
    await etcd.stop();
  }
}

await main();
