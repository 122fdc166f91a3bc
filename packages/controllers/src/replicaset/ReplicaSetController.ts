import {
  ApiClient,
  ApiError,
  controller,
  controllerOf,
  EventRecorder,
  Logger,
  objectKey,
  resources,
  selectorFromLabelSelector,
  SharedInformerFactory,
  type appsv1,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { Enqueue } from '../internal/Enqueue.js';
import { claimPods } from '../internal/claimPods.js';
import { Expectations } from '../internal/Expectations.js';
import { isPodActive } from '../internal/podUtil.js';
import { manageReplicas } from './manageReplicas.js';
import { replicaSetStatus, statusChanged } from './replicaSetStatus.js';

const { Pods, ReplicaSets } = resources;

function safeSelector(rs: appsv1.ReplicaSet) {
  try {
    const sel = selectorFromLabelSelector(rs.spec?.selector);
    return sel.empty ? undefined : sel;
  } catch {
    return undefined;
  }
}

/**
 * The ReplicaSet controller: keeps `spec.replicas` pods matching each ReplicaSet's selector, owned
 * through a controller ownerReference (adopting orphans, releasing pods that stop matching),
 * creating in slow-start batches and deleting in upstream's ranking order, guarded by
 * expectations so a stale cache never causes extra creates, and reporting status.
 */
@controller({
  name: 'replicaset',
  for: ReplicaSets,
  owns: [Pods],
  workers: 4,
})
@injectable()
export class ReplicaSetController implements Reconciler {
  private readonly expectations = new Expectations();
  private readonly pods: Informer<corev1.Pod>;
  private readonly replicaSets: Informer<appsv1.ReplicaSet>;
  private readonly recorder: EventRecorder;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
    @inject(Enqueue) private readonly enqueue: Enqueue,
  ) {
    this.pods = informers.informerFor(Pods);
    this.replicaSets = informers.informerFor(ReplicaSets);
    this.recorder = new EventRecorder(api, logger, { component: 'replicaset-controller' });
    this.pods.events.subscribe((e) => {
      this.observe(e.object, e.type === 'updated' ? e.old : undefined, e.type === 'deleted');
    });
  }

  async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    const key = objectKey(request);
    const rs = this.replicaSets.cache.get(request.name, request.namespace);
    if (rs === undefined) {
      this.expectations.delete(key);
      return {};
    }
    const selector = safeSelector(rs);
    if (selector === undefined) {
      this.recorder.event(
        rs,
        'Warning',
        'InvalidSelector',
        'the ReplicaSet has an invalid or empty selector',
      );
      return {};
    }
    const ns = request.namespace ?? '';
    const candidates = this.pods.cache.list(ns).filter(isPodActive);
    const owned = await claimPods(this.api, { owner: rs, kind: ReplicaSets, selector }, candidates);
    const ownedActive = owned.filter(isPodActive);
    let failure: unknown;
    if (this.expectations.satisfied(key) && !rs.metadata?.deletionTimestamp) {
      failure = await manageReplicas({
        api: this.api,
        rs,
        pods: ownedActive,
        expectations: this.expectations,
        key,
        recorder: this.recorder,
      });
    }
    const { status, requeueAfter } = replicaSetStatus(rs, ownedActive, failure, Date.now());
    if (statusChanged(rs.status, status)) {
      await this.api.updateStatus(ReplicaSets, { ...rs, status });
    }
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new ApiError('Internal', JSON.stringify(failure));
    return requeueAfter !== undefined ? { requeueAfter } : {};
  }

  /** Lowers expectations as the pod informer sees the creates and deletes they stand for. */
  private observe(pod: corev1.Pod, old: corev1.Pod | undefined, deleted: boolean): void {
    const ref = controllerOf(pod);
    if (ref === undefined && pod.metadata?.namespace && !deleted)
      this.enqueueAdopters(pod, pod.metadata.namespace);
    if (ref?.kind !== 'ReplicaSet' || !pod.metadata?.namespace) return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    const uid = pod.metadata.uid ?? '';
    if (deleted || (pod.metadata.deletionTimestamp && !old?.metadata?.deletionTimestamp)) {
      this.expectations.deletionObserved(key, uid);
    } else if (old === undefined) {
      this.expectations.creationObserved(key);
    }
  }

  /** Orphans matching a ReplicaSet's selector wake it up so it can adopt them. */
  private enqueueAdopters(pod: corev1.Pod, namespace: string): void {
    for (const rs of this.replicaSets.cache.list(namespace)) {
      if (safeSelector(rs)?.matches(pod.metadata?.labels) !== true) continue;
      this.enqueue('replicaset', { namespace, name: rs.metadata?.name ?? '' });
    }
  }
}
