import {
  ApiClient,
  ApiError,
  controller,
  controllerOf,
  EventRecorder,
  getCondition,
  Logger,
  ownerReferenceTo,
  resources,
  selectorFromLabelSelector,
  SharedInformerFactory,
  type appsv1,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type ReconcileResult,
  type Selector,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { Enqueue } from '../internal/Enqueue.js';
import { statusChanged } from '../replicaset/replicaSetStatus.js';
import { calculateStatus, progressStatus } from './deploymentStatus.js';
import { DeploymentSync } from './DeploymentSync.js';
import { names, specReplicas } from './deploymentUtil.js';
import { rolloutRecreate, rolloutRolling } from './rollout.js';
import { scaleOnly } from './scaleOnly.js';

const { Deployments, ReplicaSets, Pods } = resources;

/** Whether the Deployment's (valid, non-empty) selector matches the ReplicaSet's labels. */
function selects(d: appsv1.Deployment, rs: appsv1.ReplicaSet): boolean {
  try {
    const sel = selectorFromLabelSelector(d.spec?.selector);
    return !sel.empty && sel.matches(rs.metadata?.labels);
  } catch {
    return false;
  }
}

/**
 * The Deployment controller: rolls a Deployment's pod template out through ReplicaSets named
 * `<deployment>-<pod-template-hash>` — RollingUpdate within maxSurge/maxUnavailable or Recreate —
 * with revision annotations, history clean-up, pause/resume, and the Available and Progressing
 * conditions (including ProgressDeadlineExceeded). A rollback is a template change back to an
 * older revision, whose ReplicaSet is reused with the next revision number.
 */
@controller({ name: 'deployment', for: Deployments, owns: [ReplicaSets], workers: 2 })
@injectable()
export class DeploymentController implements Reconciler {
  private readonly deployments: Informer<appsv1.Deployment>;
  private readonly replicaSets: Informer<appsv1.ReplicaSet>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly recorder: EventRecorder;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
    @inject(Enqueue) enqueue: Enqueue,
  ) {
    this.deployments = informers.informerFor(Deployments);
    this.replicaSets = informers.informerFor(ReplicaSets);
    this.pods = informers.informerFor(Pods);
    this.recorder = new EventRecorder(api, logger, { component: 'deployment-controller' });
    // An orphan ReplicaSet wakes the Deployments whose selector matches it, to be adopted.
    this.replicaSets.events.subscribe((e) => {
      const ns = e.object.metadata?.namespace;
      if (e.type === 'deleted' || !ns || controllerOf(e.object) !== undefined) return;
      for (const d of this.deployments.cache.list(ns)) {
        if (selects(d, e.object)) enqueue('deployment', { namespace: ns, name: d.metadata?.name ?? '' });
      }
    });
    // A Recreate rollout waits for old pods to be gone: their deletion wakes the Deployment.
    this.pods.events.subscribe((e) => {
      if (e.type !== 'deleted') return;
      const rsRef = controllerOf(e.object);
      const ns = e.object.metadata?.namespace;
      if (rsRef?.kind !== 'ReplicaSet' || !ns) return;
      const rs = this.replicaSets.cache.get(rsRef.name, ns);
      const dRef = rs ? controllerOf(rs) : undefined;
      if (dRef?.kind === 'Deployment') enqueue('deployment', { namespace: ns, name: dRef.name });
    });
  }

  async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    const cached = this.deployments.cache.get(request.name, request.namespace);
    if (cached === undefined || cached.metadata?.deletionTimestamp) return {};
    const d = structuredClone(cached);
    let selector;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector);
    } catch {
      selector = undefined;
    }
    if (selector === undefined || selector.empty) {
      this.recorder.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      return {};
    }
    const rss = await this.claimReplicaSets(d, selector);
    const sync = new DeploymentSync(this.api, this.recorder, d, rss);
    const paused = d.spec?.paused === true;
    const progressing = getCondition(d.status?.conditions, 'Progressing');
    if (paused && progressing?.reason !== 'DeploymentPaused')
      sync.progressing('DeploymentPaused', 'Deployment is paused', 'Unknown');
    if (!paused && progressing?.reason === 'DeploymentPaused')
      sync.progressing('DeploymentResumed', 'Deployment is resumed', 'Unknown');

    if (paused || this.isScalingEvent(sync)) {
      await sync.ensureNewReplicaSet(false);
      await scaleOnly(sync);
      if (paused) await sync.cleanup();
      return this.writeStatus(sync, false);
    }
    if (d.spec?.strategy?.type === 'Recreate') {
      await rolloutRecreate(sync, (old) => old.some((rs) => this.hasPods(rs)));
    } else {
      await rolloutRolling(sync);
    }
    return this.writeStatus(sync, true);
  }

  /**
   * The ReplicaSets the Deployment controls, after adopting matching orphans (e.g. left by a
   * delete with `--cascade=orphan`) and releasing owned ones its selector no longer matches.
   */
  private async claimReplicaSets(d: appsv1.Deployment, selector: Selector): Promise<appsv1.ReplicaSet[]> {
    const uid = d.metadata?.uid ?? '';
    const out: appsv1.ReplicaSet[] = [];
    for (const rs of this.replicaSets.cache.list(d.metadata?.namespace ?? '')) {
      const ref = controllerOf(rs);
      const matches = selector.matches(rs.metadata?.labels);
      if (ref !== undefined && ref.uid !== uid) continue;
      if (ref === undefined && (!matches || rs.metadata?.deletionTimestamp)) continue;
      if (ref !== undefined && matches) {
        out.push(rs);
        continue;
      }
      const owners = (rs.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (ref === undefined)
        owners.push(ownerReferenceTo(d, Deployments, { controller: true, blockOwnerDeletion: true }));
      try {
        const patched = await this.api.patch(
          ReplicaSets,
          rs.metadata?.name ?? '',
          'merge',
          { metadata: { resourceVersion: rs.metadata?.resourceVersion, ownerReferences: owners } },
          { namespace: rs.metadata?.namespace ?? '' },
        );
        if (ref === undefined) out.push(patched);
      } catch (err) {
        if (!ApiError.is(err, 'NotFound', 'Conflict')) throw err;
      }
    }
    return out;
  }

  /** Whether `spec.replicas` changed since the active ReplicaSets were last sized (upstream `isScalingEvent`). */
  private isScalingEvent(sync: DeploymentSync): boolean {
    const desired = String(specReplicas(sync.d));
    return sync.all.some(
      (rs) =>
        (rs.spec?.replicas ?? 0) > 0 &&
        (rs.metadata?.annotations?.[names.desiredReplicas] ?? desired) !== desired,
    );
  }

  private hasPods(rs: appsv1.ReplicaSet): boolean {
    return this.pods.cache
      .byIndex('owner-uid', rs.metadata?.uid ?? '')
      .some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  private async writeStatus(sync: DeploymentSync, rollout: boolean): Promise<ReconcileResult> {
    const now = Date.now();
    let status = calculateStatus(sync.d, sync.all, sync.newRS, now);
    let requeueAfter: number | undefined;
    if (rollout) ({ status, requeueAfter } = progressStatus(sync.d, status, sync.newRS, now));
    const current = this.deployments.cache.get(sync.d.metadata?.name ?? '', sync.d.metadata?.namespace);
    if (statusChanged(current?.status, status)) {
      await this.api.updateStatus(Deployments, { ...sync.d, status });
    }
    return requeueAfter !== undefined ? { requeueAfter } : {};
  }
}
