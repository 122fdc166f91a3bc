import {
  ApiClient,
  ApiError,
  controller,
  EventRecorder,
  Logger,
  resources,
  selectorFromLabelSelector,
  SharedInformerFactory,
  type appsv1,
  type corev1,
  type Informer,
  type KubeObject,
  type policyv1,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  type Selector,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { Enqueue } from '../internal/Enqueue.js';
import { statusChanged } from '../replicaset/replicaSetStatus.js';
import { expectedScale } from './expectedScale.js';
import { needsExpectedScale, pdbStatus } from './pdbStatus.js';

const { PodDisruptionBudgets, Pods, ReplicaSets, Deployments } = resources;

/**
 * The disruption controller (upstream `pkg/controller/disruption`): keeps every
 * PodDisruptionBudget's status true to the pods it selects — healthy and expected pods, how many
 * must stay healthy, and `disruptionsAllowed`, which the `pods/eviction` subresource spends and
 * `kubectl drain` waits on. Evictions granted by the apiserver stay in `disruptedPods` until their
 * pod's deletion shows or two minutes pass.
 */
@controller({ name: 'disruption', for: PodDisruptionBudgets, workers: 2 })
@injectable()
export class DisruptionController implements Reconciler {
  private readonly pdbs: Informer<policyv1.PodDisruptionBudget>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly replicaSets: Informer<appsv1.ReplicaSet>;
  private readonly deployments: Informer<appsv1.Deployment>;
  private readonly recorder: EventRecorder;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
    @inject(Enqueue) private readonly enqueue: Enqueue,
  ) {
    this.pdbs = informers.informerFor(PodDisruptionBudgets);
    this.pods = informers.informerFor(Pods);
    this.replicaSets = informers.informerFor(ReplicaSets);
    this.deployments = informers.informerFor(Deployments);
    this.recorder = new EventRecorder(api, logger, { component: 'controllermanager' });
    this.pods.events.subscribe((e) => {
      this.enqueueCovering(e.object);
      if (e.type === 'updated') this.enqueueCovering(e.old);
    });
    // A scale change moves what percentage and maxUnavailable budgets expect.
    for (const owners of [this.replicaSets, this.deployments] as Informer<KubeObject>[]) {
      owners.events.subscribe((e) => {
        if (e.type !== 'updated') return;
        for (const pdb of this.pdbs.cache.list(e.object.metadata?.namespace ?? ''))
          if (needsExpectedScale(pdb)) this.enqueueBudget(pdb);
      });
    }
  }

  async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    const pdb = this.pdbs.cache.get(request.name, request.namespace);
    if (pdb === undefined || pdb.metadata?.deletionTimestamp) return {};
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(pdb.spec?.selector);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.recorder.event(pdb, 'Warning', 'InvalidSelector', message);
      return {};
    }
    const pods = this.pods.cache
      .list(request.namespace ?? '')
      .filter((p) => selector.matches(p.metadata?.labels));
    if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    const scale = needsExpectedScale(pdb)
      ? expectedScale(pods, { replicaSets: this.replicaSets.cache, deployments: this.deployments.cache })
      : undefined;
    if (typeof scale === 'string')
      this.recorder.event(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${scale}`,
      );
    const { status, requeueAfter } = pdbStatus(pdb, {
      pods,
      ...(scale !== undefined ? { expectedScale: scale } : {}),
      now: Date.now(),
    });
    if (statusChanged(pdb.status, status)) {
      try {
        await this.api.updateStatus(PodDisruptionBudgets, { ...pdb, status });
      } catch (err) {
        // A conflict means an eviction spent the budget meanwhile: look again with the new object.
        if (ApiError.is(err, 'Conflict')) return { requeue: true };
        if (ApiError.is(err, 'NotFound')) return {};
        throw err;
      }
    }
    return requeueAfter !== undefined ? { requeueAfter } : {};
  }

  /** Enqueues the budgets of the pod's namespace whose selector matches it. */
  private enqueueCovering(pod: corev1.Pod): void {
    const ns = pod.metadata?.namespace ?? '';
    for (const pdb of this.pdbs.cache.list(ns)) {
      let selector: Selector;
      try {
        selector = selectorFromLabelSelector(pdb.spec?.selector);
      } catch {
        continue;
      }
      if (selector.matches(pod.metadata?.labels)) this.enqueueBudget(pdb);
    }
  }

  private enqueueBudget(pdb: policyv1.PodDisruptionBudget): void {
    this.enqueue('disruption', { namespace: pdb.metadata?.namespace ?? '', name: pdb.metadata?.name ?? '' });
  }
}
