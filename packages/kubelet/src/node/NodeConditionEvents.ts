import type { corev1, EventRecorder, KubeObject, Logger } from '@tugboat/core';

// The event reasons upstream's kubelet records when a node condition takes a status.
const reasons: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  MemoryPressure: { False: 'NodeHasSufficientMemory', True: 'NodeHasInsufficientMemory' },
  DiskPressure: { False: 'NodeHasNoDiskPressure', True: 'NodeHasDiskPressure' },
  PIDPressure: { False: 'NodeHasSufficientPID', True: 'NodeHasInsufficientPID' },
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
};

/**
 * Records the node's condition changes as upstream's kubelet does (`NodeReady`, `NodeNotReady`,
 * `NodeHasSufficientMemory`, … with `Node <name> status is now: <reason>`), and logs Ready
 * transitions. Each status is told once per change, the first write included.
 */
export class NodeConditionEvents {
  private readonly last = new Map<string, string>();
  private readonly nodeRef: KubeObject;

  constructor(
    private readonly nodeName: string,
    private readonly log: Logger,
    private readonly recorder: EventRecorder | undefined,
  ) {
    // Upstream's node reference uses the node name as uid, so events survive a re-created Node.
    this.nodeRef = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, uid: nodeName } };
  }

  /** Records a Normal event about the node (e.g. `Starting`). */
  record(reason: string, message: string): void {
    this.recorder?.event(this.nodeRef, 'Normal', reason, message);
  }

  /** Notes the conditions of a status just written. */
  note(status: corev1.NodeStatus): void {
    for (const c of status.conditions ?? []) {
      const reason = reasons[c.type]?.[c.status];
      if (reason === undefined || this.last.get(c.type) === c.status) continue;
      this.last.set(c.type, c.status);
      this.record(reason, `Node ${this.nodeName} status is now: ${reason}`);
      if (c.type !== 'Ready') continue;
      if (c.status === 'True') this.log.info('node is ready');
      else this.log.warn('node is not ready', { reason: c.reason, message: c.message });
    }
  }
}
