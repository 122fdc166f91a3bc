import { Quantity, type ContainerResources, type corev1 } from '@tugboat/core';

const minShares = 2;
const sharesPerCpu = 1024;
const quotaPeriod = 100_000;
const minQuota = 1000;

function parse(q: string | number | undefined): Quantity | undefined {
  if (q === undefined) return undefined;
  return Quantity.tryParse(String(q));
}

/**
 * The runtime resources of a container, as upstream's kuberuntime: CPU shares from the CPU request
 * (milli × 1024 / 1000, at least 2), a CFS quota from the CPU limit over a 100 ms period, and the
 * memory limit in bytes.
 */
export function containerResources(container: corev1.Container): ContainerResources {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  const cpuRequest = parse(requests.cpu) ?? parse(limits.cpu);
  const cpuLimit = parse(limits.cpu);
  const memoryLimit = parse(limits.memory);
  const shares = cpuRequest
    ? Math.max(minShares, Math.floor((cpuRequest.milliValue() * sharesPerCpu) / 1000))
    : minShares;
  return {
    cpuShares: shares,
    ...(cpuLimit
      ? {
          cpuQuota: Math.max(minQuota, Math.floor((cpuLimit.milliValue() * quotaPeriod) / 1000)),
          cpuPeriod: quotaPeriod,
        }
      : {}),
    ...(memoryLimit ? { memoryLimitBytes: memoryLimit.value() } : {}),
  };
}
