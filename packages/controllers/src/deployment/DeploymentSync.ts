import {
  ApiError,
  controllerOf,
  ownerReferenceTo,
  resources,
  type ApiClient,
  type appsv1,
  type EventRecorder,
} from '@tugboat/core';

import { templateHash } from '../internal/templateHash.js';
import { putCondition } from './deploymentStatus.js';
import {
  names,
  podBound,
  resolveFenceposts,
  revisionOf,
  semanticForm,
  setNewReplicaSetAnnotations,
  specReplicas,
  sum,
  templateKey,
} from './deploymentUtil.js';

const { Deployments, ReplicaSets } = resources;

/**
 * One sync of one Deployment: its ReplicaSets split into the new one (whose template equals the
 * Deployment's) and the old ones, and the writes that move them (upstream `syncDeployment`'s
 * helpers). Every write replaces the local copy, so later steps see what earlier ones did.
 */
export class DeploymentSync {
  newRS: appsv1.ReplicaSet | undefined;
  old: appsv1.ReplicaSet[];

  constructor(
    private readonly api: ApiClient,
    private readonly recorder: EventRecorder,
    public d: appsv1.Deployment,
    rss: readonly appsv1.ReplicaSet[],
  ) {
    const key = templateKey(d.spec?.template);
    const byAge = [...rss].sort((a, b) =>
      (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''),
    );
    this.newRS = byAge.find((rs) => templateKey(rs.spec?.template) === key);
    this.old = byAge.filter((rs) => rs !== this.newRS);
  }

  get all(): appsv1.ReplicaSet[] {
    return this.newRS ? [...this.old, this.newRS] : [...this.old];
  }

  get ns(): string {
    return this.d.metadata?.namespace ?? '';
  }

  /**
   * Makes sure the new ReplicaSet exists (when `create`) and carries the next revision and the
   * Deployment's annotations; keeps the Deployment's revision annotation in step.
   */
  async ensureNewReplicaSet(create: boolean): Promise<appsv1.ReplicaSet | undefined> {
    const revision = Math.max(0, ...this.old.map(revisionOf)) + 1;
    if (this.newRS !== undefined) {
      const copy = structuredClone(this.newRS);
      let changed = setNewReplicaSetAnnotations(this.d, copy, revision, true);
      const minReady = this.d.spec?.minReadySeconds ?? 0;
      if ((copy.spec?.minReadySeconds ?? 0) !== minReady && copy.spec) {
        copy.spec.minReadySeconds = minReady;
        changed = true;
      }
      if (changed) this.newRS = await this.api.update(ReplicaSets, copy, { namespace: this.ns });
      if (!this.d.status?.conditions?.some((c) => c.type === 'Progressing')) {
        this.progressing('FoundNewReplicaSet', `Found new replica set "${this.newRS.metadata?.name ?? ''}"`);
      }
    } else if (create) {
      this.newRS = await this.createNewReplicaSet(revision);
    }
    if (this.newRS !== undefined) await this.syncRevisionAnnotation(revisionOf(this.newRS));
    return this.newRS;
  }

  private async createNewReplicaSet(revision: number): Promise<appsv1.ReplicaSet | undefined> {
    const d = this.d;
    const collisionCount = d.status?.collisionCount ?? undefined;
    const hash = templateHash(semanticForm(d.spec?.template ?? {}), collisionCount);
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [names.hashLabel]: hash },
    };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [names.hashLabel]: hash };
    const name = `${d.metadata?.name ?? ''}-${hash}`;
    const rs: appsv1.ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: this.ns,
        labels: { ...(template.metadata.labels ?? {}) },
        ownerReferences: [ownerReferenceTo(d, Deployments, { controller: true, blockOwnerDeletion: true })],
      },
      spec: {
        replicas: this.newReplicasCount(0),
        minReadySeconds: d.spec?.minReadySeconds ?? 0,
        selector,
        template,
      },
    };
    setNewReplicaSetAnnotations(d, rs, revision, false);
    try {
      const created = await this.api.create(ReplicaSets, rs, { namespace: this.ns });
      const size = specReplicas(created);
      if (size > 0) this.event('up', created, size, 0);
      this.progressing('NewReplicaSetCreated', `Created new replica set "${name}"`);
      return created;
    } catch (err) {
      if (!ApiError.is(err, 'AlreadyExists')) throw err;
      const existing = await this.api.get(ReplicaSets, name, { namespace: this.ns });
      // Our own ReplicaSet not yet in the cache: use it. Someone else's: a hash collision.
      if (
        controllerOf(existing)?.uid === d.metadata?.uid &&
        templateKey(existing.spec?.template) === templateKey(d.spec?.template)
      ) {
        return existing;
      }
      const status = { ...(d.status ?? {}), collisionCount: (collisionCount ?? 0) + 1 };
      await this.api.updateStatus(Deployments, { ...d, status });
      throw new ApiError(
        'Conflict',
        `hash collision for ReplicaSet "${name}"; retrying with collisionCount ${status.collisionCount}`,
      );
    }
  }

  /** How many replicas the new ReplicaSet may have now (upstream `NewRSNewReplicas`). */
  newReplicasCount(current: number): number {
    const replicas = specReplicas(this.d);
    if (this.d.spec?.strategy?.type === 'Recreate') return replicas;
    const { surge } = resolveFenceposts(this.d);
    const total = sum(this.all, podBound);
    const maxTotal = replicas + surge;
    if (total >= maxTotal) return current;
    return current + Math.max(0, Math.min(maxTotal - total, replicas - current));
  }

  /** Scales a ReplicaSet to `size`, stamping desired/max replicas; returns whether it changed. */
  async scale(rs: appsv1.ReplicaSet, size: number): Promise<boolean> {
    const from = specReplicas(rs);
    const { surge } = resolveFenceposts(this.d);
    const desired = String(specReplicas(this.d));
    const max = String(specReplicas(this.d) + surge);
    const ann = rs.metadata?.annotations ?? {};
    if (from === size && ann[names.desiredReplicas] === desired && ann[names.maxReplicas] === max)
      return false;
    const copy = structuredClone(rs);
    copy.spec = { ...(copy.spec ?? { selector: {} }), replicas: size };
    copy.metadata = {
      ...copy.metadata,
      annotations: { ...ann, [names.desiredReplicas]: desired, [names.maxReplicas]: max },
    };
    const updated = await this.api.update(ReplicaSets, copy, { namespace: this.ns });
    if (rs === this.newRS) this.newRS = updated;
    else this.old = this.old.map((x) => (x === rs ? updated : x));
    if (from !== size) this.event(size > from ? 'up' : 'down', updated, size, from);
    return from !== size;
  }

  /** Deletes the oldest fully scaled-down old ReplicaSets beyond `revisionHistoryLimit`. */
  async cleanup(): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = this.old
      .filter((rs) => !rs.metadata?.deletionTimestamp)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of alive.slice(0, Math.max(0, alive.length - limit))) {
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
      if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      await this.api
        .delete(ReplicaSets, rs.metadata?.name ?? '', {
          namespace: this.ns,
          preconditions: { uid: rs.metadata?.uid ?? '' },
        })
        .catch((err: unknown) => {
          if (!ApiError.is(err, 'NotFound', 'Conflict')) throw err;
        });
    }
  }

  /** Sets the Progressing condition on the local copy's status; written with the status. */
  progressing(reason: string, message: string, status: 'True' | 'Unknown' = 'True'): void {
    const st = (this.d.status = { ...(this.d.status ?? {}) });
    st.conditions = putCondition(
      st.conditions,
      { type: 'Progressing', status, reason, message },
      Date.now(),
      true,
    );
  }

  private async syncRevisionAnnotation(revision: number): Promise<void> {
    if (revisionOf(this.d) === revision) return;
    const status = this.d.status;
    const patched = await this.api.patch(
      Deployments,
      this.d.metadata?.name ?? '',
      'merge',
      {
        metadata: {
          resourceVersion: this.d.metadata?.resourceVersion,
          annotations: { [names.revision]: String(revision) },
        },
      },
      { namespace: this.ns },
    );
    this.d = status !== undefined ? { ...patched, status } : patched;
  }

  private event(dir: 'up' | 'down', rs: appsv1.ReplicaSet, to: number, from: number): void {
    this.recorder.event(
      this.d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${dir} replica set ${rs.metadata?.name ?? ''} to ${to} from ${from}`,
    );
  }
}
