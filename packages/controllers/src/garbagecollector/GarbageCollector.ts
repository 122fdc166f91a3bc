import {
  ApiClient,
  ApiError,
  builtinResources,
  controller,
  hasFinalizer,
  Logger,
  parseApiVersion,
  resources,
  SharedInformerFactory,
  type Informer,
  type KubeObject,
  type metav1,
  type ReconcileRequest,
  type Reconciler,
  type ResourceRef,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { crdResource, resourceId } from '../internal/crdResources.js';
import { Enqueue } from '../internal/Enqueue.js';
import { ownerStates, patchOwners, removeFinalizerLive } from './ownerStates.js';

const { CustomResourceDefinitions, Events, EventsV1 } = resources;

/** An object the collector looks at, encoded in the request name (requests carry no kind). */
interface Item {
  readonly r: string;
  readonly ns?: string;
  readonly n: string;
  readonly uid: string;
}

interface Monitor {
  readonly ref: ResourceRef;
  readonly informer: Informer<KubeObject>;
}

const orphan = 'orphan';
const foreground = 'foregroundDeletion';

/**
 * The garbage collector: follows every kind's ownerReferences (built-in kinds and, as CRDs
 * appear, custom ones) and deletes dependents whose owners are all gone (background), deletes a
 * foreground-deleted owner's dependents before removing its `foregroundDeletion` finalizer, and
 * strips an orphaned owner's references from its dependents before removing `orphan`.
 */
@controller({ name: 'garbagecollector', for: CustomResourceDefinitions, workers: 4 })
@injectable()
export class GarbageCollector implements Reconciler {
  private readonly monitors = new Map<string, Monitor>();
  private readonly byKind = new Map<string, ResourceRef>();

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) private readonly informers: SharedInformerFactory,
    @inject(Logger) private readonly logger: Logger,
    @inject(Enqueue) private readonly enqueue: Enqueue,
  ) {
    for (const def of builtinResources) {
      if (def === Events || def === EventsV1) continue;
      this.monitor(def);
    }
  }

  async reconcile(request: ReconcileRequest): Promise<void> {
    if (!request.name.startsWith('{')) {
      this.monitorCrd(request.name);
      return;
    }
    const item = JSON.parse(request.name) as Item;
    const mon = this.monitors.get(item.r);
    const obj = mon?.informer.cache.get(item.n, item.ns);
    if (mon === undefined || obj === undefined || obj.metadata?.uid !== item.uid) return;
    if (hasFinalizer(obj, orphan) && obj.metadata.deletionTimestamp) {
      for (const dep of this.dependentsOf(item.uid)) {
        await patchOwners(
          this.api,
          dep.ref,
          dep.obj,
          (dep.obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== item.uid),
        );
      }
      await removeFinalizerLive(this.api, mon.ref, obj, orphan);
      return;
    }
    if (hasFinalizer(obj, foreground) && obj.metadata.deletionTimestamp) {
      let blocking = 0;
      for (const dep of this.dependentsOf(item.uid)) {
        const ref = dep.obj.metadata?.ownerReferences?.find((r) => r.uid === item.uid);
        if (ref?.blockOwnerDeletion === true) blocking++;
        if (dep.obj.metadata?.deletionTimestamp) continue;
        await this.deleteObject(dep.ref, dep.obj, this.hasDependents(dep.obj) ? 'Foreground' : 'Background');
      }
      if (blocking === 0) await removeFinalizerLive(this.api, mon.ref, obj, foreground);
      return;
    }
    const owners = obj.metadata.ownerReferences ?? [];
    if (owners.length === 0 || obj.metadata.deletionTimestamp) return;
    const states = await ownerStates(this.api, owners, obj.metadata.namespace, (r) => this.resolve(r));
    const solid = owners.filter((r) => states.get(r.uid) === 'solid');
    if (solid.length > 0) {
      if (solid.length < owners.filter((r) => states.get(r.uid) !== 'unknown').length) {
        await patchOwners(
          this.api,
          mon.ref,
          obj,
          owners.filter((r) => states.get(r.uid) !== 'dangling' && states.get(r.uid) !== 'waiting'),
        );
      }
      return;
    }
    if (owners.some((r) => states.get(r.uid) === 'unknown')) return;
    const waiting = owners.some((r) => states.get(r.uid) === 'waiting');
    // Under an owner deleting in the foreground, an object with dependents goes in the foreground too.
    const policy = hasFinalizer(obj, orphan)
      ? 'Orphan'
      : waiting && this.hasDependents(obj)
        ? 'Foreground'
        : 'Background';
    this.logger.debug('collecting object whose owners are gone', {
      object: `${item.ns ?? ''}/${item.n}`,
      resource: item.r,
      policy,
    });
    await this.deleteObject(mon.ref, obj, policy);
  }

  private async deleteObject(
    ref: ResourceRef,
    obj: KubeObject,
    propagationPolicy: 'Foreground' | 'Background' | 'Orphan',
  ): Promise<void> {
    const meta = obj.metadata ?? {};
    await this.api
      .delete(ref, meta.name ?? '', {
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        propagationPolicy,
        preconditions: { uid: meta.uid ?? '' },
      })
      .catch((err: unknown) => {
        if (!ApiError.is(err, 'NotFound', 'Conflict')) throw err;
      });
  }

  private hasDependents(obj: KubeObject): boolean {
    return this.dependentsOf(obj.metadata?.uid ?? '').length > 0;
  }

  /** Every monitored object with an ownerReference to `uid`. */
  private dependentsOf(uid: string): { ref: ResourceRef; obj: KubeObject }[] {
    const out: { ref: ResourceRef; obj: KubeObject }[] = [];
    for (const m of this.monitors.values()) {
      for (const obj of m.informer.cache.byIndex('owner-uid', uid)) out.push({ ref: m.ref, obj });
    }
    return out;
  }

  private resolve(ref: metav1.OwnerReference): ResourceRef | undefined {
    return this.byKind.get(`${parseApiVersion(ref.apiVersion).group}/${ref.kind}`);
  }

  private monitorCrd(name: string): void {
    const crd = this.informers.informerFor(CustomResourceDefinitions).cache.get(name);
    const ref = crd ? crdResource(crd) : undefined;
    if (ref !== undefined && !this.monitors.has(resourceId(ref))) this.monitor(ref);
  }

  private monitor(ref: ResourceRef): void {
    const informer = this.informers.informerFor(ref);
    this.monitors.set(resourceId(ref), { ref, informer });
    this.byKind.set(`${ref.group}/${ref.kind}`, ref);
    informer.events.subscribe((e) => {
      const obj = e.object;
      const meta = obj.metadata ?? {};
      const deleting = Boolean(meta.deletionTimestamp);
      if (e.type === 'deleted') {
        for (const dep of this.dependentsOf(meta.uid ?? '')) this.enqueueItem(dep.ref, dep.obj);
      } else if (
        (meta.ownerReferences ?? []).length > 0 ||
        (deleting && (hasFinalizer(obj, orphan) || hasFinalizer(obj, foreground)))
      ) {
        const old = e.type === 'updated' ? e.old : undefined;
        const interesting =
          old === undefined ||
          deleting !== Boolean(old.metadata?.deletionTimestamp) ||
          JSON.stringify(meta.ownerReferences) !== JSON.stringify(old.metadata?.ownerReferences) ||
          JSON.stringify(meta.finalizers) !== JSON.stringify(old.metadata?.finalizers);
        if (interesting) this.enqueueItem(ref, obj);
      }
      // A dependent that goes (or starts going) may unblock an owner deleting in the foreground.
      if (e.type === 'deleted' || (deleting && e.type === 'updated' && !e.old.metadata?.deletionTimestamp)) {
        for (const owner of meta.ownerReferences ?? []) {
          const oref = this.resolve(owner);
          if (oref === undefined) continue;
          const ownerObj = this.monitors
            .get(resourceId(oref))
            ?.informer.cache.get(owner.name, oref.namespaced ? meta.namespace : undefined);
          if (ownerObj !== undefined && hasFinalizer(ownerObj, foreground)) this.enqueueItem(oref, ownerObj);
        }
      }
    });
  }

  private enqueueItem(ref: ResourceRef, obj: KubeObject): void {
    const meta = obj.metadata ?? {};
    const item: Item = {
      r: resourceId(ref),
      n: meta.name ?? '',
      uid: meta.uid ?? '',
      ...(meta.namespace ? { ns: meta.namespace } : {}),
    };
    this.enqueue('garbagecollector', { name: JSON.stringify(item) });
  }
}
