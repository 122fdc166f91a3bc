import {
  ApiClient,
  ApiError,
  builtinResources,
  controller,
  Logger,
  resources,
  SharedInformerFactory,
  type apiextensionsv1,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
  type ResourceRef,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { crdResource } from '../internal/crdResources.js';

const { Namespaces, CustomResourceDefinitions } = resources;

/** How soon to look again while objects are still going away (finalizers, grace periods). */
const recheckMs = 250;

/**
 * The Namespace controller: when a namespace is deleted (phase Terminating, `kubernetes` in
 * `spec.finalizers`), deletes every object of every namespaced kind in it — built-in and custom —
 * waits until all are gone, then removes the `kubernetes` finalizer through the `finalize`
 * subresource so the namespace itself goes.
 */
@controller({ name: 'namespace', for: Namespaces, workers: 2 })
@injectable()
export class NamespaceController implements Reconciler {
  private readonly namespaces: Informer<corev1.Namespace>;
  private readonly crds: Informer<apiextensionsv1.CustomResourceDefinition>;
  private readonly log: Logger;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) logger: Logger,
  ) {
    this.namespaces = informers.informerFor(Namespaces);
    this.crds = informers.informerFor(CustomResourceDefinitions);
    this.log = logger.child({ controller: 'namespace' });
  }

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const ns = this.namespaces.cache.get(name);
    if (ns === undefined || !ns.metadata?.deletionTimestamp) return {};
    if (!(ns.spec?.finalizers ?? []).includes('kubernetes')) return {};
    let remaining = 0;
    for (const def of this.namespacedResources()) remaining += await this.empty(def, name);
    if (remaining > 0) {
      this.log.debug('namespace content remaining', { namespace: name, remaining });
      return { requeueAfter: recheckMs };
    }
    const live = await this.api.get(Namespaces, name).catch((err: unknown) => {
      if (ApiError.is(err, 'NotFound')) return undefined;
      throw err;
    });
    if (live === undefined) return {};
    const finalizers = (live.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes');
    await this.api.updateSubresource(Namespaces, name, 'finalize', {
      ...live,
      spec: { ...live.spec, finalizers },
    });
    return {};
  }

  /** Every namespaced kind served now: the built-in ones and those of established CRDs. */
  private namespacedResources(): ResourceRef[] {
    const custom = this.crds.cache
      .list()
      .map(crdResource)
      .filter((r): r is ResourceRef => r !== undefined);
    return [...builtinResources, ...custom].filter((r) => r.namespaced);
  }

  /** Deletes what is left of `def` in the namespace; returns how many objects still exist. */
  private async empty(def: ResourceRef, namespace: string): Promise<number> {
    let items;
    try {
      items = (await this.api.list(def, { namespace })).items;
    } catch (err) {
      // A custom kind whose CRD went away meanwhile has nothing left to delete.
      if (ApiError.is(err, 'NotFound')) return 0;
      throw err;
    }
    for (const obj of items) {
      if (obj.metadata?.deletionTimestamp) continue;
      await this.api
        .delete(def, obj.metadata?.name ?? '', {
          namespace,
          propagationPolicy: 'Background',
          preconditions: { uid: obj.metadata?.uid ?? '' },
        })
        .catch((err: unknown) => {
          if (!ApiError.is(err, 'NotFound', 'Conflict')) throw err;
        });
    }
    if (items.length === 0) return 0;
    return (await this.api.list(def, { namespace })).items.length;
  }
}
