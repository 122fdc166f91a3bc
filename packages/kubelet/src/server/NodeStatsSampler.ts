import { readFileSync } from 'node:fs';
import { cpus, freemem, totalmem, uptime } from 'node:os';

/** The node's CPU and memory figures at one instant, in the Summary API's units. */
export interface NodeSample {
  readonly atMs: number;
  /** When the node booted, milliseconds since the epoch. */
  readonly bootMs: number;
  readonly usageCoreNanoSeconds: number;
  /** Averaged since the previous sample; absent on the first. */
  readonly usageNanoCores?: number;
  readonly memory: {
    readonly availableBytes: number;
    readonly usageBytes: number;
    readonly workingSetBytes: number;
  };
}

// USER_HZ: the unit of /proc/stat's counters is 1/100 s on every Linux ABI Node runs on.
const nanosPerJiffy = 10_000_000;

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Samples the whole node's CPU time and memory from `/proc/stat` and `/proc/meminfo` (falling back
 * to `node:os` elsewhere), and turns successive CPU samples into a usage rate. Not the kubelet
 * process's own usage: the HPA and `kubectl top node` want the machine's.
 */
export class NodeStatsSampler {
  private previous: { atMs: number; usage: number } | undefined;

  sample(nowMs: number): NodeSample {
    const stat = readProc('/proc/stat');
    const { usage, bootMs } =
      stat !== undefined ? parseStat(stat, nowMs) : { usage: osCpuNanos(), bootMs: nowMs - uptime() * 1000 };
    const meminfo = readProc('/proc/meminfo');
    const memory = meminfo !== undefined ? parseMeminfo(meminfo) : osMemory();
    let usageNanoCores: number | undefined;
    const prev = this.previous;
    if (prev !== undefined && nowMs > prev.atMs && usage >= prev.usage) {
      usageNanoCores = Math.round(((usage - prev.usage) * 1000) / (nowMs - prev.atMs));
    }
    this.previous = { atMs: nowMs, usage };
    return {
      atMs: nowMs,
      bootMs,
      usageCoreNanoSeconds: usage,
      ...(usageNanoCores !== undefined ? { usageNanoCores } : {}),
      memory,
    };
  }
}

function parseStat(text: string, nowMs: number): { usage: number; bootMs: number } {
  let usage = 0;
  let bootMs = nowMs - uptime() * 1000;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'cpu') {
      // user nice system idle iowait irq softirq steal: busy time is all but idle and iowait.
      const n = fields.slice(1, 9).map(Number);
      usage = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (n[i] ?? 0), 0) * nanosPerJiffy;
    } else if (fields[0] === 'btime' && fields[1] !== undefined) {
      bootMs = Number(fields[1]) * 1000;
    }
  }
  return { usage, bootMs };
}

function parseMeminfo(text: string): NodeSample['memory'] {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m?.[1] !== undefined ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal') ?? totalmem();
  const free = kb('MemFree') ?? freemem();
  const available = kb('MemAvailable') ?? free;
  return { availableBytes: available, usageBytes: total - free, workingSetBytes: total - available };
}

function osMemory(): NodeSample['memory'] {
  const total = totalmem();
  const free = freemem();
  return { availableBytes: free, usageBytes: total - free, workingSetBytes: total - free };
}

function osCpuNanos(): number {
  return cpus().reduce((sum, c) => sum + (c.times.user + c.times.nice + c.times.sys + c.times.irq) * 1e6, 0);
}
