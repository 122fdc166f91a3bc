import type { corev1, NodeInfo, PodInfo, Snapshot } from '@tugboat/core';

import { podInfoOf } from '../internal/podInfo.js';
import { MutableNodeInfo } from './MutableNodeInfo.js';

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
    this.infoFor(name).setNode(node);
    this.nodesDirty = true;
  }

  updateNode(node: corev1.Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (info === undefined) return;
    if (info.pods.length === 0) this.infos.delete(name);
    else info.clearNode();
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
    this.infoFor(nodeName).addPod(info);
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
    this.infoFor(nodeName).addPod(info);
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
    info?.removePod(uid);
    this.podStates.delete(uid);
    if (state.info.hasAffinity) this.affinityDirty = true;
    if (info !== undefined && !info.hasNode && info.pods.length === 0) this.infos.delete(state.nodeName);
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
