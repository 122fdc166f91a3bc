import type { corev1, PodInfo } from '@tugboat/core';

import { podInfoOf } from '../internal/podInfo.js';

/**
 * The pods nominated to nodes (upstream's nominator): pending pods whose
 * `status.nominatedNodeName` says preemption made room for them there. Filters count them on
 * that node for pods of lower or equal priority, so the room is not taken by someone else.
 */
export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Whether no pod is nominated anywhere (the filter's fast path). */
  get empty(): boolean {
    return this.nodeOf.size === 0;
  }

  /** Records the pod's nomination (`nodeName`, else its status), or drops it when it has none or is bound. */
  update(pod: corev1.Pod, nodeName?: string): void {
    const uid = pod.metadata?.uid ?? '';
    const node = pod.spec?.nodeName ? undefined : (nodeName ?? pod.status?.nominatedNodeName);
    this.delete(uid);
    if (!node || pod.metadata?.deletionTimestamp) return;
    let pods = this.byNode.get(node);
    if (pods === undefined) {
      pods = new Map();
      this.byNode.set(node, pods);
    }
    pods.set(uid, podInfoOf(pod));
    this.nodeOf.set(uid, node);
  }

  delete(uid: string): void {
    const node = this.nodeOf.get(uid);
    if (node === undefined) return;
    this.nodeOf.delete(uid);
    const pods = this.byNode.get(node);
    pods?.delete(uid);
    if (pods?.size === 0) this.byNode.delete(node);
  }

  /** The pods nominated to `nodeName`. */
  forNode(nodeName: string): Iterable<PodInfo> | undefined {
    return this.byNode.get(nodeName)?.values();
  }

  /** The node the pod with `uid` is nominated to. */
  nodeFor(uid: string): string | undefined {
    return this.nodeOf.get(uid);
  }
}
