import {
  ApiError,
  errors,
  selectorFromLabelSelector,
  type corev1,
  type KubeObject,
  type metav1,
  type PatchType,
  type ResourceDefinition,
  type Status,
  metaTime,
} from '@tugboat/core';

import { applyPatch } from '../patch/applyPatch.js';
import type { RequestContext } from '../registry/RequestContext.js';
import type { ScalePaths } from '../crd/CrdManager.js';
import { decode } from './codec.js';
import type { Mutable } from './mutable.js';
import type { RegistryCore } from './RegistryCore.js';

/** The `autoscaling/v1 Scale` object the scale subresource serves. */
export interface Scale {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: metav1.ObjectMeta;
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

const builtinScale: ScalePaths = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
};

/** The subresources the registry itself serves: status, scale, binding and finalize. */
export class Subresources {
  constructor(private readonly core: RegistryCore) {}

  /** GET `status` (the whole object) or `scale`. */
  async get(ctx: RequestContext, def: ResourceDefinition, name: string, sub: string): Promise<unknown> {
    this.served(def, sub);
    const obj = decode(def, await this.core.read(def, this.core.namespaceOf(def, ctx), name));
    if (sub === 'status' || sub === 'approval') return obj;
    if (sub === 'scale') return this.toScale(def, obj);
    throw unsupported(def, sub);
  }

  /** POST `binding` (pods). */
  async create(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    sub: string,
    body: unknown,
  ): Promise<Status> {
    this.served(def, sub);
    if (sub !== 'binding') throw unsupported(def, sub);
    const binding = (body ?? {}) as corev1.Binding;
    if (binding.metadata?.name && binding.metadata.name !== name) {
      throw new ApiError(
        'BadRequest',
        `the name of the binding (${binding.metadata.name}) does not match the name in the URL (${name})`,
      );
    }
    const node = (binding.target as Partial<corev1.ObjectReference> | undefined)?.name;
    if (!node) {
      throw errors.invalid('Binding', name, [
        { reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' },
      ]);
    }
    const ns = this.core.namespaceOf(def, ctx, binding);
    await this.core.update(ctx, def, ns, name, {
      mode: 'raw',
      subresource: 'binding',
      retry: true,
      produce: (old) => {
        const pod = old as Mutable<corev1.Pod>;
        if (pod.metadata?.deletionTimestamp) {
          throw errors.conflict(
            'pods/binding',
            name,
            '',
            `pod ${name} is being deleted, cannot be assigned to a host`,
          );
        }
        if (pod.spec?.nodeName) {
          throw errors.conflict(
            'pods/binding',
            name,
            '',
            `pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
          );
        }
        pod.spec = { ...(pod.spec ?? { containers: [] }), nodeName: node };
        const annotations = binding.metadata?.annotations;
        if (annotations)
          pod.metadata = {
            ...pod.metadata,
            annotations: { ...(pod.metadata?.annotations ?? {}), ...annotations },
          };
        const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: metaTime() });
        pod.status = { ...(pod.status ?? {}), conditions };
        return pod;
      },
    });
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }

  /** PUT `scale` or `finalize` (namespaces). */
  async update(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    sub: string,
    body: unknown,
  ): Promise<unknown> {
    this.served(def, sub);
    const obj = (body ?? {}) as KubeObject;
    if (obj.metadata?.name && obj.metadata.name !== name) {
      throw new ApiError(
        'BadRequest',
        `the name of the object (${obj.metadata.name}) does not match the name in the URL (${name})`,
      );
    }
    const rv = obj.metadata?.resourceVersion;
    const ns = this.core.namespaceOf(def, ctx);
    if (sub === 'scale') {
      const replicas = (obj as Partial<Scale>).spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw errors.invalid(
          'Scale',
          name,
          [
            {
              reason: 'FieldValueInvalid',
              field: 'spec.replicas',
              message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
            },
          ],
          'autoscaling',
        );
      }
      const paths = this.scalePaths(def);
      const updated = await this.core.update(ctx, def, ns, name, {
        mode: 'main',
        subresource: 'scale',
        retry: rv === undefined,
        produce: (old) => {
          setPath(old, paths.specReplicasPath, replicas);
          if (rv) old.metadata = { ...old.metadata, resourceVersion: rv };
          return old;
        },
      });
      return this.toScale(def, updated);
    }
    if (sub === 'finalize') {
      const finalizers = (obj as corev1.Namespace).spec?.finalizers ?? [];
      return this.core.update(ctx, def, ns, name, {
        mode: 'raw',
        subresource: 'finalize',
        retry: rv === undefined,
        produce: (old) => {
          const next = old as corev1.Namespace;
          next.spec = { ...(next.spec ?? {}), finalizers: [...finalizers] };
          if (rv) next.metadata = { ...next.metadata, resourceVersion: rv };
          return next;
        },
      });
    }
    throw unsupported(def, sub);
  }

  /** PATCH `scale` (what `kubectl scale` sends): the patch applies to the Scale view. */
  async patchScale(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    type: PatchType,
    patch: unknown,
  ): Promise<Scale> {
    for (let attempt = 0; ; attempt++) {
      const scale = (await this.get(ctx, def, name, 'scale')) as Scale;
      const patched = applyPatch(scale, type, patch, def) as Scale;
      // A patch that names a resourceVersion is a precondition: no silent retry past it.
      const pinned = patched.metadata.resourceVersion !== scale.metadata.resourceVersion;
      try {
        return (await this.update(ctx, def, name, 'scale', patched)) as Scale;
      } catch (err) {
        if (pinned || attempt >= 100 || !ApiError.is(err, 'Conflict')) throw err;
      }
    }
  }

  private served(def: ResourceDefinition, sub: string): void {
    if (!(def.subresources as readonly string[]).includes(sub)) {
      throw new ApiError(
        'NotFound',
        `the server could not find the requested resource (${def.plural}/${sub})`,
        { group: def.group, kind: def.plural },
      );
    }
  }

  private scalePaths(def: ResourceDefinition): ScalePaths {
    return this.core.crds.scaleOf(def) ?? builtinScale;
  }

  private toScale(def: ResourceDefinition, obj: KubeObject): Scale {
    const paths = this.scalePaths(def);
    const meta = obj.metadata ?? {};
    const specReplicas = getPath(obj, paths.specReplicasPath);
    let selector: string | undefined;
    if (paths.labelSelectorPath !== undefined) {
      const value = getPath(obj, paths.labelSelectorPath);
      selector = typeof value === 'string' ? value : undefined;
    } else if (paths === builtinScale) {
      const spec = (obj as { spec?: { selector?: metav1.LabelSelector } }).spec;
      selector = spec?.selector ? selectorFromLabelSelector(spec.selector).toString() : undefined;
    }
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: meta.name ?? '',
        ...(meta.namespace !== undefined ? { namespace: meta.namespace } : {}),
        ...(meta.uid !== undefined ? { uid: meta.uid } : {}),
        ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
        ...(meta.creationTimestamp !== undefined ? { creationTimestamp: meta.creationTimestamp } : {}),
      },
      spec: typeof specReplicas === 'number' ? { replicas: specReplicas } : {},
      status: {
        replicas: Number(getPath(obj, paths.statusReplicasPath) ?? 0),
        ...(selector !== undefined ? { selector } : {}),
      },
    };
  }
}

function unsupported(def: ResourceDefinition, sub: string): ApiError {
  return new ApiError(
    'MethodNotAllowed',
    `the ${def.plural}/${sub} subresource is not supported by this method`,
    { group: def.group, kind: def.plural },
  );
}

function segments(path: string): string[] {
  return path
    .replace(/^\./, '')
    .split('.')
    .filter((s) => s !== '');
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of segments(path)) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setPath(obj: object, path: string, value: unknown): void {
  const parts = segments(path);
  const last = parts.pop();
  if (last === undefined) return;
  let cur = obj as Record<string, unknown>;
  for (const part of parts) {
    const next = cur[part];
    if (typeof next !== 'object' || next === null) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[last] = value;
}
