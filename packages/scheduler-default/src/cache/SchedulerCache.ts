import type { corev1, NodeInfo, PodInfo, Snapshot } from '@tugboat/core';

import { podInfoOf } from '../internal/podInfo.js';
import { MutableNodeInfo } from './MutableNodeInfo.js';
import { PodIndex } from './PodIndex.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

/**
 * The scheduler's cache, as upstream's: node aggregates built from the informers' pods and nodes,
 * plus assumed pods — a pod is counted on its node as soon as it is reserved (assume), while the
 * binding runs asynchronously; a failed binding forgets it, and the informer seeing the binding
 * confirms it. It also serves as the cycle's {@link Snapshot}: a scheduling cycle runs without
 * yielding, so the cache cannot change under it.
 */
export class SchedulerCache implements Snapshot {
  private readonly infos = new Map<string, MutableNodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  /** Label and anti-affinity indexes over the counted pods, for PodTopologySpread and InterPodAffinity. */
  readonly podIndex = new PodIndex();
  private nodeList: MutableNodeInfo[] = [];
  private nodesDirty = false;
  private affinityList: MutableNodeInfo[] = [];
  private affinityDirty = false;

  /** Every node the cache holds a Node object for. */
  get nodes(): readonly NodeInfo[] {
    this.refreshNodes();
    return this.nodeList;
  }

  private refreshNodes(): void {
    if (this.nodesDirty) {
      this.nodeList = [...this.infos.values()].filter((n) => n.hasNode);
      this.nodesDirty = false;
    }
  }

  get nodesWithAffinityPods(): readonly NodeInfo[] {
    if (this.affinityDirty || this.nodesDirty) {
      this.refreshNodes();
      this.affinityList = this.nodeList.filter((n) => n.podsWithAffinity.length > 0);
      this.affinityDirty = false;
    }
    return this.affinityList;
  }

  get(nodeName: string): NodeInfo | undefined {
    const info = this.infos.get(nodeName);
    return info?.hasNode === true ? info : undefined;
  }

  /** The number of nodes. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  addNode(node: corev1.Node): void {
    const name = node.metadata?.name ?? '';
    const info = this.infoFor(name);
    const before = info.node.metadata?.labels;
    const relabel = info.pods.length > 0 && !sameLabels(before, node.metadata?.labels);
    // Anti-affinity counts are per topology pair: the node's pods count again under its new labels.
    if (relabel) for (const p of info.pods) this.podIndex.remove(p, before);
    info.setNode(node);
    if (relabel) for (const p of info.pods) this.podIndex.add(p, node.metadata?.labels);
    this.nodesDirty = true;
  }

  updateNode(node: corev1.Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (info === undefined) return;
    if (info.pods.length === 0) this.infos.delete(name);
    else {
      const before = info.node.metadata?.labels;
      for (const p of info.pods) this.podIndex.remove(p, before);
      info.clearNode();
      for (const p of info.pods) this.podIndex.add(p, undefined);
    }
    this.nodesDirty = true;
  }

  /** Whether the pod is counted on a node (assumed or confirmed). */
  hasPod(uid: string): boolean {
    return this.podStates.has(uid);
  }

  isAssumed(uid: string): boolean {
    return this.podStates.get(uid)?.assumed === true;
  }

  /** Counts a pod the scheduler has just placed (its `spec.nodeName` set to `nodeName`). */
  assumePod(pod: corev1.Pod, nodeName: string): void {
    const uid = pod.metadata?.uid ?? '';
    if (this.podStates.has(uid)) return;
    const placed: corev1.Pod = { ...pod, spec: { ...(pod.spec as corev1.PodSpec), nodeName } };
    // Same requests as the pending pod: reuse its parsed figures rather than parse again.
    const info: PodInfo = { ...podInfoOf(pod), pod: placed };
    this.place(info, nodeName);
    this.podStates.set(uid, { info, nodeName, assumed: true });
    if (info.hasAffinity) this.affinityDirty = true;
  }

  /** Undoes {@link assumePod} after a failed binding. */
  forgetPod(uid: string): void {
    const state = this.podStates.get(uid);
    if (state?.assumed !== true) return;
    this.drop(uid, state);
  }

  /** A bound pod seen by the informer (added or updated): confirms an assumed pod or counts it. */
  addPod(pod: corev1.Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const nodeName = pod.spec?.nodeName ?? '';
    const state = this.podStates.get(uid);
    let info: PodInfo | undefined;
    if (state !== undefined) {
      if (state.info.pod === pod) return;
      // The binding of an assumed pod changes only spec.nodeName: keep the parsed figures.
      if (state.assumed && state.nodeName === nodeName) info = { ...state.info, pod };
      this.drop(uid, state);
    }
    info ??= podInfoOf(pod);
    this.place(info, nodeName);
    this.podStates.set(uid, { info, nodeName, assumed: false });
    if (info.hasAffinity) this.affinityDirty = true;
  }

  /** A pod that is gone (deleted, or finished and no longer counted). */
  removePod(uid: string): void {
    const state = this.podStates.get(uid);
    if (state !== undefined) this.drop(uid, state);
  }

  private drop(uid: string, state: PodState): void {
    const info = this.infos.get(state.nodeName);
    const removed = info?.removePod(uid, state.info);
    if (removed !== undefined) this.podIndex.remove(removed, info?.node.metadata?.labels);
    this.podStates.delete(uid);
    if (state.info.hasAffinity) this.affinityDirty = true;
    if (info !== undefined && !info.hasNode && info.pods.length === 0) this.infos.delete(state.nodeName);
  }

  private place(info: PodInfo, nodeName: string): void {
    const node = this.infoFor(nodeName);
    node.addPod(info);
    this.podIndex.add(info, node.node.metadata?.labels);
  }

  private infoFor(name: string): MutableNodeInfo {
    let info = this.infos.get(name);
    if (info === undefined) {
      info = new MutableNodeInfo(name);
      this.infos.set(name, info);
    }
    return info;
  }
}

function sameLabels(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  for (const k of ka) if (a?.[k] !== b?.[k]) return false;
  return true;
}
