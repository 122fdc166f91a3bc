import { Quantity, type corev1, type PodInfo } from '@tugboat/core';

/** Upstream's request assumed for scoring when a container asks for no cpu (100m). */
export const defaultMilliCpuRequest = 100;
/** Upstream's request assumed for scoring when a container asks for no memory (200Mi). */
export const defaultMemoryRequest = 200 * 1024 * 1024;

const cache = new WeakMap<corev1.Pod, PodInfo>();

/**
 * Parsed quantities by text, cpu (millicores) apart from the rest: a cluster uses a handful of
 * distinct strings (`100m`, `4`, `32Gi`) across thousands of nodes and pods. Cleared when it grows
 * past a bound, so odd input cannot grow it without limit.
 */
const parsedCpu = new Map<string, number>();
const parsedOther = new Map<string, number>();
const parsedBound = 4096;

/** A resource quantity in the scheduler's canonical unit: millicores for cpu, the value otherwise. */
export function quantityValue(resource: string, text: string | number | undefined): number {
  if (text === undefined) return 0;
  const key = String(text);
  const memo = resource === 'cpu' ? parsedCpu : parsedOther;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const q = Quantity.tryParse(key);
  const value = q === undefined ? 0 : resource === 'cpu' ? q.milliValue() : q.value();
  if (memo.size >= parsedBound) memo.clear();
  memo.set(key, value);
  return value;
}

function addList(into: Record<string, number>, list: Readonly<Record<string, string>> | undefined): void {
  if (list === undefined) return;
  for (const name of Object.keys(list)) into[name] = (into[name] ?? 0) + quantityValue(name, list[name]);
}

/**
 * The scheduler's view of a pod, computed once per pod object (informer objects are immutable,
 * so a WeakMap keyed by the object is a safe memo): requests = max(sum of containers, max of
 * init containers) + overhead, as upstream; non-zero cpu/memory for scoring; host port keys.
 */
export function podInfoOf(pod: corev1.Pod): PodInfo {
  let info = cache.get(pod);
  if (info === undefined) {
    info = computePodInfo(pod);
    cache.set(pod, info);
  }
  return info;
}

function computePodInfo(pod: corev1.Pod): PodInfo {
  const spec = pod.spec;
  const sum: Record<string, number> = { cpu: 0, memory: 0, 'ephemeral-storage': 0 };
  let nonZeroCpu = 0;
  let nonZeroMemory = 0;
  const hostPorts: string[] = [];
  for (const c of spec?.containers ?? []) {
    const req = c.resources?.requests as Record<string, string> | undefined;
    addList(sum, req);
    const cpu = req?.['cpu'];
    const mem = req?.['memory'];
    nonZeroCpu += cpu === undefined ? defaultMilliCpuRequest : quantityValue('cpu', cpu);
    nonZeroMemory += mem === undefined ? defaultMemoryRequest : quantityValue('memory', mem);
    for (const p of c.ports ?? []) {
      if (p.hostPort !== undefined && p.hostPort > 0) {
        hostPorts.push(`${p.protocol ?? 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
      }
    }
  }
  for (const c of spec?.initContainers ?? []) {
    const one: Record<string, number> = {};
    addList(one, c.resources?.requests);
    for (const name of Object.keys(one)) {
      const v = one[name] ?? 0;
      if (v > (sum[name] ?? 0)) sum[name] = v;
    }
    if ((one['cpu'] ?? 0) > nonZeroCpu) nonZeroCpu = one['cpu'] ?? 0;
    if ((one['memory'] ?? 0) > nonZeroMemory) nonZeroMemory = one['memory'] ?? 0;
  }
  const overhead = spec?.overhead as Record<string, string> | undefined;
  addList(sum, overhead);
  if (overhead !== undefined) {
    nonZeroCpu += quantityValue('cpu', overhead['cpu']);
    nonZeroMemory += quantityValue('memory', overhead['memory']);
  }
  const a = spec?.affinity;
  const hasAffinity = a?.podAffinity !== undefined || a?.podAntiAffinity !== undefined;
  const hasRequiredAntiAffinity =
    (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  return { pod, requests: sum, nonZeroCpu, nonZeroMemory, hostPorts, hasAffinity, hasRequiredAntiAffinity };
}

/** Whether a wanted host port clashes with the ports in use (`0.0.0.0` clashes with every IP). */
export function portConflicts(want: string, used: ReadonlySet<string>): boolean {
  if (used.size === 0) return false;
  if (used.has(want)) return true;
  const first = want.indexOf('/');
  const last = want.lastIndexOf('/');
  const proto = want.slice(0, first);
  const ip = want.slice(first + 1, last);
  const port = want.slice(last + 1);
  if (ip !== '0.0.0.0') return used.has(`${proto}/0.0.0.0/${port}`);
  for (const u of used) {
    if (u.startsWith(`${proto}/`) && u.endsWith(`/${port}`)) return true;
  }
  return false;
}
