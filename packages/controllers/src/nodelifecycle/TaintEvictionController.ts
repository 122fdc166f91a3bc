import {
  ApiClient,
  controller,
  EventRecorder,
  ignoreNotFound,
  Logger,
  realClock,
  resources,
  SharedInformerFactory,
  type Clock,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable, optional } from 'inversify';

import { Enqueue } from '../internal/Enqueue.js';
import { tolerates } from '../internal/tolerates.js';
import { NodeLifecycleOptions } from './NodeLifecycleOptions.js';

const { Nodes, Pods } = resources;

/**
 * When a pod must leave its node, in ms since the epoch: at once for a NoExecute taint it does
 * not tolerate; after the shortest `tolerationSeconds` of the tolerations matching each taint,
 * counted from the taint's `timeAdded`; never (`Infinity`) when every taint is tolerated forever.
 */
export function evictionTime(pod: corev1.Pod, taints: readonly corev1.Taint[], now: number): number {
  let at = Infinity;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = (pod.spec?.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return now;
    const seconds = Math.min(
      ...matching.map((t) =>
        t.tolerationSeconds === undefined ? Infinity : Math.max(0, t.tolerationSeconds),
      ),
    );
    if (seconds === Infinity) continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    at = Math.min(at, (Number.isNaN(added) ? now : added) + seconds * 1000);
  }
  return at;
}

/**
 * The taint eviction controller (upstream's NoExecuteTaintManager): deletes pods from nodes with
 * NoExecute taints they do not tolerate, at once or after their `tolerationSeconds`. Their
 * controllers then replace them on healthy nodes.
 */
@controller({ name: 'taint-eviction', for: Pods, workers: 2 })
@injectable()
export class TaintEvictionController implements Reconciler {
  private readonly nodes: Informer<corev1.Node>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
    @inject(Enqueue) enqueue: Enqueue,
    @inject(NodeLifecycleOptions) @optional() options: NodeLifecycleOptions = {},
  ) {
    this.nodes = informers.informerFor(Nodes);
    this.pods = informers.informerFor(Pods);
    this.clock = options.clock ?? realClock;
    this.recorder = new EventRecorder(api, logger, {
      component: 'taint-eviction-controller',
      clock: this.clock,
    });
    this.nodes.events.subscribe((e) => {
      const name = e.object.metadata?.name ?? '';
      if (e.type === 'deleted' || !(e.object.spec?.taints ?? []).some((t) => t.effect === 'NoExecute'))
        return;
      for (const pod of this.pods.cache.byIndex('spec.nodeName', name)) {
        enqueue('taint-eviction', {
          namespace: pod.metadata?.namespace ?? '',
          name: pod.metadata?.name ?? '',
        });
      }
    });
  }

  async reconcile({ namespace, name }: ReconcileRequest): Promise<ReconcileResult> {
    const pod = this.pods.cache.get(name, namespace);
    const nodeName = pod?.spec?.nodeName;
    if (pod === undefined || !nodeName || pod.metadata?.deletionTimestamp) return {};
    const taints = this.nodes.cache.get(nodeName)?.spec?.taints ?? [];
    const now = this.clock.now();
    const at = evictionTime(pod, taints, now);
    if (at === Infinity) return {};
    if (at > now) return { requeueAfter: at - now };
    this.recorder.event(
      pod,
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${namespace ?? ''}/${name}`,
    );
    await this.api
      .delete(Pods, name, { namespace, preconditions: { uid: pod.metadata?.uid ?? '' } })
      .catch(ignoreNotFound);
    return {};
  }
}
