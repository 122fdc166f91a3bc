import {
  ApiError,
  type apiextensionsv1,
  type corev1,
  type KubeObject,
  type Logger,
  type ResourceDefinition,
  type StatusCause,
  type Store,
} from '@tugboat/core';

import type { CrdManager } from '../crd/CrdManager.js';
import { validateCrd } from '../crd/validateCrd.js';
import { translate } from './codec.js';

/**
 * What the generic registry does differently for two kinds: Namespaces (the `kubernetes`
 * finalizer, phase Active) and CustomResourceDefinitions (validation, status, serving the kind,
 * removing its objects on delete).
 */
export class KindHooks {
  constructor(
    private readonly crds: CrdManager,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Kind-specific create behaviour: namespace finalizer and phase, CRD status. */
  onCreate(def: ResourceDefinition, obj: KubeObject): void {
    if (isNamespaces(def)) {
      const ns = obj as corev1.Namespace;
      ns.spec = { ...(ns.spec ?? {}), finalizers: ns.spec?.finalizers ?? ['kubernetes'] };
      ns.status = { ...(ns.status ?? {}), phase: 'Active' };
    } else if (isCrds(def) && validateCrd(obj as apiextensionsv1.CustomResourceDefinition).length === 0) {
      this.crds.computeStatus(obj as apiextensionsv1.CustomResourceDefinition);
    }
  }

  /** Kind-specific update behaviour: CRD status. */
  onUpdate(def: ResourceDefinition, obj: KubeObject, old: KubeObject): void {
    if (isCrds(def) && validateCrd(obj as apiextensionsv1.CustomResourceDefinition).length === 0) {
      this.crds.computeStatus(
        obj as apiextensionsv1.CustomResourceDefinition,
        old as apiextensionsv1.CustomResourceDefinition,
      );
    }
  }

  /** Kind-specific validation: CRDs. */
  validate(def: ResourceDefinition, obj: KubeObject, old?: KubeObject): StatusCause[] {
    if (!isCrds(def)) return [];
    return validateCrd(
      obj as apiextensionsv1.CustomResourceDefinition,
      old as apiextensionsv1.CustomResourceDefinition | undefined,
    );
  }

  /** After a stored create or update: serve a CRD's kind. */
  afterWrite(def: ResourceDefinition, obj: KubeObject): void {
    if (isCrds(def)) this.crds.register(obj as apiextensionsv1.CustomResourceDefinition);
  }

  /** After an object left the store: a CRD takes its kind and objects with it. */
  async afterDelete(def: ResourceDefinition, obj: KubeObject): Promise<void> {
    if (!isCrds(def)) return;
    const crd = obj as apiextensionsv1.CustomResourceDefinition;
    this.crds.unregister(crd);
    // A CRD whose names were never accepted served nothing: the objects under its names are not its.
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    if (!established) return;
    // Upstream's finalizer controller removes every custom object; here it happens with the CRD.
    const prefix = `/${crd.spec.group}/${crd.spec.names.plural}/`;
    const page = await translate(() => this.store.list(prefix));
    for (const kv of page.items) {
      await this.store.delete(kv.key).catch((err: unknown) => {
        if (!ApiError.is(err, 'NotFound'))
          this.logger.warn('could not delete custom object', { key: kv.key, err: String(err) });
      });
    }
  }
}

function isNamespaces(def: ResourceDefinition): boolean {
  return def.group === '' && def.plural === 'namespaces';
}

function isCrds(def: ResourceDefinition): boolean {
  return def.group === 'apiextensions.k8s.io' && def.plural === 'customresourcedefinitions';
}
