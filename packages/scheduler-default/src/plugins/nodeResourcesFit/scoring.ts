import { ApiError, type corev1, type NodeInfo } from '@tugboat/core';

import { podInfoOf } from '../../internal/podInfo.js';
import { maxNodeScore } from '../normalize.js';

/** A resource and its weight in a scoring strategy. */
export interface ResourceSpec {
  readonly name: string;
  readonly weight?: number;
}

/** One point of RequestedToCapacityRatio's shape: utilization 0–100 → score 0–10. */
export interface UtilizationShapePoint {
  readonly utilization: number;
  readonly score: number;
}

/** How NodeResourcesFit scores, as upstream's ScoringStrategy. */
export interface ScoringStrategy {
  readonly type: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
  /** Default: cpu and memory, weight 1 each. */
  readonly resources?: readonly ResourceSpec[];
  readonly requestedToCapacityRatio?: { readonly shape: readonly UtilizationShapePoint[] };
}

/** What a node would have requested of `resource` with the pod on it (non-zero figures for cpu and memory). */
export function requestedWith(pod: corev1.Pod, node: NodeInfo, resource: string): number {
  const info = podInfoOf(pod);
  if (resource === 'cpu') return node.nonZeroCpu + info.nonZeroCpu;
  if (resource === 'memory') return node.nonZeroMemory + info.nonZeroMemory;
  return (node.requested[resource] ?? 0) + (info.requests[resource] ?? 0);
}

function shapeScorer(shape: readonly UtilizationShapePoint[]): (utilization: number) => number {
  if (shape.length === 0) throw new ApiError('Invalid', 'RequestedToCapacityRatio: shape must not be empty');
  const points = [...shape].sort((a, b) => a.utilization - b.utilization);
  for (const p of points) {
    if (p.utilization < 0 || p.utilization > 100 || p.score < 0 || p.score > 10) {
      throw new ApiError('Invalid', 'RequestedToCapacityRatio: utilization must be 0–100 and score 0–10');
    }
  }
  return (u) => {
    const first = points[0] as UtilizationShapePoint;
    const last = points[points.length - 1] as UtilizationShapePoint;
    if (u <= first.utilization) return first.score * 10;
    if (u >= last.utilization) return last.score * 10;
    for (let i = 1; i < points.length; i++) {
      const b = points[i] as UtilizationShapePoint;
      if (u <= b.utilization) {
        const a = points[i - 1] as UtilizationShapePoint;
        return (a.score + ((b.score - a.score) * (u - a.utilization)) / (b.utilization - a.utilization)) * 10;
      }
    }
    return last.score * 10;
  };
}

/** Builds the node scorer of a strategy: a weighted mean of per-resource scores, 0–100. */
export function resourceScorer(strategy: ScoringStrategy): (pod: corev1.Pod, node: NodeInfo) => number {
  const resources = strategy.resources ?? [
    { name: 'cpu', weight: 1 },
    { name: 'memory', weight: 1 },
  ];
  let perResource: (requested: number, capacity: number) => number;
  switch (strategy.type) {
    case 'LeastAllocated':
      perResource = (r, c) => (c === 0 || r > c ? 0 : ((c - r) * maxNodeScore) / c);
      break;
    case 'MostAllocated':
      perResource = (r, c) => (c === 0 ? 0 : (Math.min(r, c) * maxNodeScore) / c);
      break;
    case 'RequestedToCapacityRatio': {
      const f = shapeScorer(strategy.requestedToCapacityRatio?.shape ?? []);
      perResource = (r, c) => (c === 0 ? f(100) : f(Math.min(100, (r * 100) / c)));
      break;
    }
    default:
      throw new ApiError(
        'Invalid',
        `NodeResourcesFit: unknown scoring strategy type "${String((strategy as { type: unknown }).type)}"`,
      );
  }
  const names = resources.map((r) => r.name);
  const weights = resources.map((r) => r.weight ?? 1);
  let lastPod: corev1.Pod | undefined;
  let podFigures: number[] = [];
  return (pod, node) => {
    // The pod's figures per resource, once per cycle rather than once per node.
    if (pod !== lastPod) {
      const info = podInfoOf(pod);
      podFigures = names.map((n) =>
        n === 'cpu' ? info.nonZeroCpu : n === 'memory' ? info.nonZeroMemory : (info.requests[n] ?? 0),
      );
      lastPod = pod;
    }
    let sum = 0;
    let weightSum = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const capacity = node.allocatable[name] ?? 0;
      if (capacity === 0 && name !== 'cpu' && name !== 'memory') continue;
      const onNode =
        name === 'cpu'
          ? node.nonZeroCpu
          : name === 'memory'
            ? node.nonZeroMemory
            : (node.requested[name] ?? 0);
      const w = weights[i] as number;
      sum += perResource(onNode + (podFigures[i] as number), capacity) * w;
      weightSum += w;
    }
    return weightSum === 0 ? 0 : Math.floor(sum / weightSum);
  };
}
