import type { corev1, NodeInfo, PodInfo } from '@tugboat/core';

import { quantityValue } from '../internal/podInfo.js';

const emptyNode: corev1.Node = { metadata: { name: '' } };

/**
 * The cache's mutable {@link NodeInfo}: per-node aggregates (requested, non-zero requested,
 * host ports, pods with affinity) kept up to date as pods are added and removed, so a Filter
 * reads numbers instead of summing pods or parsing quantities.
 */
export class MutableNodeInfo implements NodeInfo {
  node: corev1.Node = emptyNode;
  /** False while only pods name this node (it has not been seen, or was deleted). */
  hasNode = false;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  requested: Record<string, number> = { cpu: 0, memory: 0, 'ephemeral-storage': 0 };
  allocatable: Record<string, number> = { cpu: 0, memory: 0, 'ephemeral-storage': 0, pods: 0 };
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  usedPorts = new Set<string>();
  /** Bumped on every change; lets a snapshot skip unchanged nodes. */
  generation = 0;

  constructor(readonly name: string) {}

  /** Sets (or replaces) the node object and re-parses its allocatable. */
  setNode(node: corev1.Node): void {
    this.node = node;
    this.hasNode = true;
    const list = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string>;
    const alloc: Record<string, number> = { cpu: 0, memory: 0, 'ephemeral-storage': 0, pods: 0 };
    for (const name of Object.keys(list)) alloc[name] = quantityValue(name, list[name]);
    this.allocatable = alloc;
    this.generation++;
  }

  /** Forgets the node object, keeping its pods (they may still be running there). */
  clearNode(): void {
    this.node = emptyNode;
    this.hasNode = false;
    this.generation++;
  }

  addPod(info: PodInfo): void {
    this.pods.push(info);
    if (info.hasAffinity) this.podsWithAffinity.push(info);
    this.account(info, 1);
  }

  /**
   * Removes the pod with `uid`; returns whether it was there. `placed`, the PodInfo it was added
   * with when the caller has it, is found by identity rather than by comparing every pod's uid.
   */
  removePod(uid: string, placed?: PodInfo): PodInfo | undefined {
    let i = placed === undefined ? -1 : this.pods.indexOf(placed);
    if (i < 0) i = this.pods.findIndex((p) => p.pod.metadata?.uid === uid);
    if (i < 0) return undefined;
    const info = this.pods[i] as PodInfo;
    this.pods.splice(i, 1);
    if (info.hasAffinity) {
      const j = this.podsWithAffinity.indexOf(info);
      if (j >= 0) this.podsWithAffinity.splice(j, 1);
    }
    this.account(info, -1);
    return info;
  }

  /** A deep-enough copy for preemption's what-if simulation. */
  clone(): MutableNodeInfo {
    const c = new MutableNodeInfo(this.name);
    c.node = this.node;
    c.hasNode = this.hasNode;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.requested = { ...this.requested };
    c.allocatable = this.allocatable;
    c.nonZeroCpu = this.nonZeroCpu;
    c.nonZeroMemory = this.nonZeroMemory;
    c.usedPorts = new Set(this.usedPorts);
    c.generation = this.generation;
    return c;
  }

  private account(info: PodInfo, sign: 1 | -1): void {
    const req = info.requests;
    for (const name of Object.keys(req))
      this.requested[name] = (this.requested[name] ?? 0) + sign * (req[name] ?? 0);
    this.nonZeroCpu += sign * info.nonZeroCpu;
    this.nonZeroMemory += sign * info.nonZeroMemory;
    for (const port of info.hostPorts) {
      if (sign > 0) this.usedPorts.add(port);
      else this.usedPorts.delete(port);
    }
    this.generation++;
  }
}
