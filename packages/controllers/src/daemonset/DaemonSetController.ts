import {
  ApiClient,
  ApiError,
  controller,
  controllerOf,
  EventRecorder,
  Logger,
  objectKey,
  resources,
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
import { Expectations } from '../internal/Expectations.js';
import { scaledValue } from '../internal/intOrPercent.js';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../internal/podUtil.js';
import { templateHash } from '../internal/templateHash.js';
import { statusChanged } from '../replicaset/replicaSetStatus.js';
import { slowStartBatch } from '../replicaset/slowStartBatch.js';
import { daemonPod, revisionHashLabel } from './daemonPod.js';
import { nodeShouldRun } from './nodeShouldRun.js';

const { DaemonSets, Pods, Nodes } = resources;

const created = (p: corev1.Pod): string => p.metadata?.creationTimestamp ?? '';

/**
 * The DaemonSet controller: one pod per eligible node (nodeSelector, required node affinity,
 * tolerated taints), extra or misplaced pods deleted, failed ones replaced, and a RollingUpdate
 * that replaces pods of an older template at most `maxUnavailable` nodes at a time. Guarded by
 * expectations like the ReplicaSet controller.
 */
@controller({ name: 'daemonset', for: DaemonSets, owns: [Pods], workers: 2 })
@injectable()
export class DaemonSetController implements Reconciler {
  private readonly expectations = new Expectations();
  private readonly daemonSets: Informer<appsv1.DaemonSet>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly nodes: Informer<corev1.Node>;
  private readonly recorder: EventRecorder;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
    @inject(Enqueue) enqueue: Enqueue,
  ) {
    this.daemonSets = informers.informerFor(DaemonSets);
    this.pods = informers.informerFor(Pods);
    this.nodes = informers.informerFor(Nodes);
    this.recorder = new EventRecorder(api, logger, { component: 'daemonset-controller' });
    this.nodes.events.subscribe(() => {
      for (const ds of this.daemonSets.cache.list())
        enqueue('daemonset', { namespace: ds.metadata?.namespace ?? '', name: ds.metadata?.name ?? '' });
    });
    this.pods.events.subscribe((e) => {
      const ref = controllerOf(e.object);
      const ns = e.object.metadata?.namespace;
      if (ref?.kind !== 'DaemonSet' || !ns) return;
      const key = `${ns}/${ref.name}`;
      const uid = e.object.metadata?.uid ?? '';
      if (
        e.type === 'deleted' ||
        (e.type === 'updated' && e.object.metadata?.deletionTimestamp && !e.old.metadata?.deletionTimestamp)
      ) {
        this.expectations.deletionObserved(key, uid);
      } else if (e.type === 'added') this.expectations.creationObserved(key);
    });
  }

  async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    const key = objectKey(request);
    const ds = this.daemonSets.cache.get(request.name, request.namespace);
    if (ds === undefined) {
      this.expectations.delete(key);
      return {};
    }
    const hash = templateHash(ds.spec?.template);
    const template = ds.spec?.template ?? {};
    const pods = this.pods.cache
      .byIndex('owner-uid', ds.metadata?.uid ?? '')
      .filter((p) => controllerOf(p)?.uid === ds.metadata?.uid && !p.metadata?.deletionTimestamp);
    const byNode = new Map<string, corev1.Pod[]>();
    for (const p of pods)
      byNode.set(p.spec?.nodeName ?? '', [...(byNode.get(p.spec?.nodeName ?? '') ?? []), p]);
    const nodes = this.nodes.cache.list();
    const eligible = new Set(
      nodes.filter((n) => nodeShouldRun(n, template)).map((n) => n.metadata?.name ?? ''),
    );
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const now = Date.now();

    const toCreate: string[] = [];
    const toDelete: corev1.Pod[] = [];
    for (const [node, here] of byNode) if (!eligible.has(node)) toDelete.push(...here);
    let unavailable = 0;
    const oldAvailable: corev1.Pod[] = [];
    for (const node of eligible) {
      const here = [...(byNode.get(node) ?? [])].sort((a, b) => created(a).localeCompare(created(b)));
      const failed = here.filter((p) => p.status?.phase === 'Failed');
      const running = here.filter((p) => p.status?.phase !== 'Failed');
      toDelete.push(...failed, ...running.slice(1));
      const pod = running[0];
      if (pod === undefined) {
        if (failed.length === 0) toCreate.push(node);
        unavailable++;
        continue;
      }
      const available = isPodAvailable(pod, minReady, now);
      if (!available) unavailable++;
      if (pod.metadata?.labels?.[revisionHashLabel] !== hash) {
        // An old pod that is not available anyway costs nothing to replace.
        if (!available) toDelete.push(pod);
        else oldAvailable.push(pod);
      }
    }
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const maxUnavailable = scaledValue(
        ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1,
        eligible.size,
        true,
      );
      toDelete.push(...oldAvailable.slice(0, Math.max(0, maxUnavailable - unavailable)));
    }

    let failure: Error | undefined;
    if (
      this.expectations.satisfied(key) &&
      !ds.metadata?.deletionTimestamp &&
      (toCreate.length > 0 || toDelete.length > 0)
    ) {
      failure = await this.sync(ds, key, hash, toCreate, toDelete);
    }
    const requeueAfter = await this.writeStatus(ds, hash, eligible, byNode, now);
    if (failure !== undefined) throw failure;
    return requeueAfter !== undefined ? { requeueAfter } : {};
  }

  private async sync(
    ds: appsv1.DaemonSet,
    key: string,
    hash: string,
    nodes: string[],
    victims: corev1.Pod[],
  ): Promise<Error | undefined> {
    const ns = ds.metadata?.namespace ?? '';
    this.expectations.expect(
      key,
      nodes.length,
      victims.map((p) => p.metadata?.uid ?? ''),
    );
    const queue = [...nodes];
    const { attempted, error } = await slowStartBatch(nodes.length, async () => {
      const node = queue.shift() ?? '';
      try {
        const pod = await this.api.create(Pods, daemonPod(ds, node, hash), { namespace: ns });
        this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name ?? ''}`);
      } catch (err) {
        this.expectations.creationObserved(key);
        this.recorder.event(
          ds,
          'Warning',
          'FailedCreate',
          `Error creating: ${err instanceof Error ? err.message : JSON.stringify(err)}`,
        );
        throw err;
      }
    });
    for (let i = attempted; i < nodes.length; i++) this.expectations.creationObserved(key);
    const deletions = await Promise.allSettled(
      victims.map(async (pod) => {
        const name = pod.metadata?.name ?? '';
        try {
          await this.api.delete(Pods, name, {
            namespace: ns,
            preconditions: { uid: pod.metadata?.uid ?? '' },
          });
          this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, pod.metadata?.uid ?? '');
          if (!ApiError.is(err, 'NotFound', 'Conflict')) throw err;
        }
      }),
    );
    const failed: unknown =
      error ?? deletions.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
    if (failed === undefined) return undefined;
    return failed instanceof Error ? failed : new ApiError('Internal', JSON.stringify(failed));
  }

  private async writeStatus(
    ds: appsv1.DaemonSet,
    hash: string,
    eligible: ReadonlySet<string>,
    byNode: ReadonlyMap<string, corev1.Pod[]>,
    now: number,
  ): Promise<number | undefined> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let current = 0,
      misscheduled = 0,
      ready = 0,
      available = 0,
      updated = 0;
    let wait: number | undefined;
    for (const [node, here] of byNode) {
      const pod = here.find((p) => p.status?.phase !== 'Failed');
      if (pod === undefined) continue;
      if (!eligible.has(node)) {
        misscheduled++;
        continue;
      }
      current++;
      if (isPodReady(pod)) ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
      if (pod.metadata?.labels?.[revisionHashLabel] === hash) updated++;
      const left = msUntilAvailable(pod, minReady, now);
      if (left !== undefined) wait = Math.min(wait ?? left, left);
    }
    const status: appsv1.DaemonSetStatus = {
      desiredNumberScheduled: eligible.size,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: available,
      numberUnavailable: Math.max(0, eligible.size - available),
      updatedNumberScheduled: updated,
    };
    if (ds.metadata?.generation !== undefined) status.observedGeneration = ds.metadata.generation;
    if (statusChanged(ds.status, status)) await this.api.updateStatus(DaemonSets, { ...ds, status });
    // Look again when a ready pod turns available.
    return wait !== undefined ? wait + 10 : undefined;
  }
}
