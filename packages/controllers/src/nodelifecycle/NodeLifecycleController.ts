import {
  ApiClient,
  controller,
  EventRecorder,
  getCondition,
  ignoreNotFound,
  Logger,
  realClock,
  resources,
  SharedInformerFactory,
  type Clock,
  type coordinationv1,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  metaTime,
} from '@tugboat/core';
import { inject, injectable, optional } from 'inversify';

import { isPodReady } from '../internal/podUtil.js';
import { desiredTaints, lastHeartbeat, sameTaints, unknownConditions } from './nodeHealth.js';
import { NodeLifecycleOptions } from './NodeLifecycleOptions.js';

const { Nodes, Leases, Pods } = resources;
const leaseNamespace = 'kube-node-lease';

/**
 * The node lifecycle controller, as upstream's: a node whose Lease (and Ready heartbeat) has not
 * been renewed within the grace period (40 s) gets its kubelet conditions set to Unknown, its pods
 * marked not ready, and the `node.kubernetes.io/unreachable` taints (NoSchedule and NoExecute);
 * a node reporting Ready=False gets the `not-ready` taints; a node Ready again loses them. Pods
 * are evicted from NoExecute-tainted nodes by the taint eviction controller.
 */
@controller({
  name: 'nodelifecycle',
  for: Nodes,
  watches: [
    {
      resource: Leases,
      scope: { namespace: leaseNamespace },
      map: (lease) => [{ name: lease.metadata?.name ?? '' }],
    },
  ],
})
@injectable()
export class NodeLifecycleController implements Reconciler {
  private readonly nodes: Informer<corev1.Node>;
  private readonly leases: Informer<coordinationv1.Lease>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly startupGraceMs: number;
  /** When this controller first saw each node: the grace period never starts before it. */
  private readonly firstSeen = new Map<string, number>();

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
    @inject(NodeLifecycleOptions) @optional() options: NodeLifecycleOptions = {},
  ) {
    this.nodes = informers.informerFor(Nodes);
    this.leases = informers.informerFor(Leases, { namespace: leaseNamespace });
    this.pods = informers.informerFor(Pods);
    this.clock = options.clock ?? realClock;
    this.graceMs = options.nodeMonitorGracePeriodMs ?? 40_000;
    this.startupGraceMs = options.nodeStartupGracePeriodMs ?? 60_000;
    this.recorder = new EventRecorder(api, logger, { component: 'node-controller', clock: this.clock });
  }

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const node = this.nodes.cache.get(name);
    if (node === undefined) {
      this.firstSeen.delete(name);
      return {};
    }
    const now = this.clock.now();
    const seen = this.firstSeen.get(name) ?? now;
    this.firstSeen.set(name, seen);
    const beat = lastHeartbeat(node, this.leases.cache.get(name, leaseNamespace));
    const grace = beat === undefined ? this.startupGraceMs : this.graceMs;
    const probe = Math.max(beat ?? seen, seen);
    const silent = now - probe >= grace;
    let current = node;
    if (silent && getCondition(node.status?.conditions, 'Ready')?.status !== 'Unknown') {
      current = await this.markUnknown(node, now);
    }
    const taints = desiredTaints(current, metaTime(now));
    if (!sameTaints(taints, current.spec?.taints ?? [])) {
      await this.api.update(Nodes, { ...current, spec: { ...current.spec, taints } });
    }
    return silent ? {} : { requeueAfter: probe + grace - now + 1 };
  }

  private async markUnknown(node: corev1.Node, now: number): Promise<corev1.Node> {
    const name = node.metadata?.name ?? '';
    const live = await this.api.get(Nodes, name);
    const updated = await this.api.updateStatus(Nodes, {
      ...live,
      status: { ...live.status, conditions: unknownConditions(live, metaTime(now)) },
    });
    this.recorder.event(updated, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    for (const pod of this.pods.cache.byIndex('spec.nodeName', name)) {
      if (isPodReady(pod)) await this.markPodNotReady(pod, now);
    }
    return updated;
  }

  /** Upstream's MarkPodsNotReady: the pods of a lost node stop receiving traffic at once. */
  private async markPodNotReady(pod: corev1.Pod, now: number): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const live = await this.api.get(Pods, pod.metadata?.name ?? '', { namespace: ns }).catch(ignoreNotFound);
    if (live === undefined) return;
    const conditions = (live.status?.conditions ?? []).map((c) =>
      c.type === 'Ready' && c.status !== 'False'
        ? { ...c, status: 'False', lastTransitionTime: metaTime(now) }
        : c,
    );
    await this.api
      .updateStatus(Pods, { ...live, status: { ...live.status, conditions } }, { namespace: ns })
      .catch(ignoreNotFound);
  }
}
