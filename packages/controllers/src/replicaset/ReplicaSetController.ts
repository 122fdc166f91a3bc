import { performance } from 'node:perf_hooks';

import {
  ApiClient,
  ApiError,
  builtinIndexes,
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
import { SyncThrottle } from './SyncThrottle.js';

const { Pods, ReplicaSets } = resources;

/** Index of the pod informer: pods without a controller, by namespace (the ones a ReplicaSet may adopt). */
const orphanPods = 'replicaset/orphan-pods';

function addOrphanIndex(pods: Informer<corev1.Pod>): void {
  try {
    pods.addIndex(orphanPods, (p) =>
      p.metadata?.namespace && controllerOf(p) === undefined ? [p.metadata.namespace] : [],
    );
  } catch (err) {
    // Another ReplicaSet controller on the same shared informer added it already.
    if (!ApiError.is(err, 'BadRequest')) throw err;
  }
}

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
  private readonly throttle = new SyncThrottle();
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
    addOrphanIndex(this.pods);
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
      this.throttle.forget(key);
      return {};
    }
    const wait = this.throttle.delay(key);
    if (wait > 0) return { requeueAfter: wait };
    return this.sync(key, request, rs);
  }

  private async sync(
    key: string,
    request: ReconcileRequest,
    rs: appsv1.ReplicaSet,
  ): Promise<ReconcileResult> {
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
    // What the throttle weighs is the walk over the pods, not the time spent awaiting writes.
    let started = performance.now();
    // Only this ReplicaSet's pods and orphans can be claimed: looking at every pod of the
    // namespace on each sync made a 10k-pod rollout quadratic.
    const candidates = [
      ...this.pods.cache.byIndex(builtinIndexes.ownerUid, rs.metadata?.uid ?? ''),
      ...this.pods.cache.byIndex(orphanPods, ns),
    ].filter(isPodActive);
    const owned = await claimPods(this.api, { owner: rs, kind: ReplicaSets, selector }, candidates);
    const ownedActive = owned.filter(isPodActive);
    let walked = performance.now() - started;
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
    started = performance.now();
    const { status, requeueAfter } = replicaSetStatus(rs, ownedActive, failure, Date.now());
    const changed = statusChanged(rs.status, status);
    walked += performance.now() - started;
    this.throttle.record(key, walked);
    if (changed) {
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
