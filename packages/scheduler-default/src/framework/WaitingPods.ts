import type { corev1, PluginStatus, WaitingPod } from '@tugboat/core';

/** Upstream's cap on a Permit plugin's wait (maxTimeout): 15 minutes. */
export const maxPermitTimeoutMs = 15 * 60 * 1000;

const allowed: PluginStatus = { code: 'Success', reasons: [] };

/** One pod held at Permit: a timer per waiting plugin and a promise of the verdict. */
class HeldPod implements WaitingPod {
  readonly done: Promise<PluginStatus>;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private settle!: (s: PluginStatus) => void;
  private settled = false;

  constructor(
    readonly pod: corev1.Pod,
    readonly nodeName: string,
    waits: ReadonlyMap<string, number>,
    private readonly onSettled: () => void,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    for (const [plugin, ms] of waits) {
      const timeout = Math.min(Math.max(ms, 0), maxPermitTimeoutMs);
      const timer = setTimeout(() => {
        this.reject(plugin, `rejected due to timeout after waiting ${timeout}ms at plugin ${plugin}`);
      }, timeout);
      timer.unref();
      this.pending.set(plugin, timer);
    }
  }

  get pendingPlugins(): readonly string[] {
    return [...this.pending.keys()];
  }

  allow(pluginName: string): void {
    const timer = this.pending.get(pluginName);
    if (timer === undefined || this.settled) return;
    clearTimeout(timer);
    this.pending.delete(pluginName);
    if (this.pending.size === 0) this.finish(allowed);
  }

  reject(pluginName: string, message: string): void {
    if (this.settled) return;
    this.finish({ code: 'Unschedulable', reasons: [message], plugin: pluginName });
  }

  private finish(status: PluginStatus): void {
    this.settled = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.onSettled();
    this.settle(status);
  }
}

/**
 * The pods waiting at Permit, by uid (upstream's waitingPodsMap): plugins find them through the
 * framework handle to allow or reject them; the binding cycle awaits their verdict.
 */
export class WaitingPods {
  private readonly pods = new Map<string, HeldPod>();

  /** Holds `pod` until every plugin in `waits` (name → timeout in ms) allows it. */
  add(pod: corev1.Pod, nodeName: string, waits: ReadonlyMap<string, number>): void {
    const uid = pod.metadata?.uid ?? '';
    this.pods.get(uid)?.reject('', 'superseded by a new scheduling attempt');
    const held: HeldPod = new HeldPod(pod, nodeName, waits, () => {
      if (this.pods.get(uid) === held) this.pods.delete(uid);
    });
    this.pods.set(uid, held);
  }

  get(uid: string): WaitingPod | undefined {
    return this.pods.get(uid);
  }

  forEach(fn: (pod: WaitingPod) => void): void {
    for (const p of [...this.pods.values()]) fn(p);
  }

  /** The verdict for `uid`: success at once when the pod is not waiting. */
  async wait(uid: string): Promise<PluginStatus> {
    const held = this.pods.get(uid);
    return held === undefined ? allowed : held.done;
  }
}
