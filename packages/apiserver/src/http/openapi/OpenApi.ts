import { createHash } from 'node:crypto';

import { resources, type apiextensionsv1, type ResourceDefinition } from '@tugboat/core';

import type { Registry } from '../../registry/Registry.js';
import { systemAdmin } from '../../registry/RequestContext.js';
import type { Schema } from './generateSchemas.js';
import { builtinSchemas } from './schemaCache.js';
import { unknownFields } from './unknownFields.js';

/** One OpenAPI v3 document and its content hash (for `?hash=` URLs and ETags). */
export interface OpenApiDocument {
  readonly body: string;
  readonly hash: string;
}

const fieldValidationParam = {
  name: 'fieldValidation',
  in: 'query',
  description:
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.',
  schema: { type: 'string', uniqueItems: true },
};
const dryRunParam = { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } };
const fieldManagerParam = {
  name: 'fieldManager',
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
};
const forceParam = {
  name: 'force',
  in: 'query',
  description: 'Take ownership of fields other managers hold with other values (apply patches only).',
  schema: { type: 'boolean', uniqueItems: true },
};

/**
 * The OpenAPI v3 documents of the server (`/openapi/v3` and one per group-version), built from
 * the generated built-in schemas and, for custom kinds, the CRDs' schemas. Every kind gets a
 * PATCH operation with `x-kubernetes-group-version-kind` and the `fieldValidation` parameter, which
 * is what tells kubectl to leave validation to the server. Built-in documents are cached.
 */
export class OpenApi {
  private readonly cache = new Map<string, OpenApiDocument>();

  constructor(private readonly registry: Registry) {}

  /** `GET /openapi/v3`: every group-version path with its hashed URL. */
  async root(): Promise<unknown> {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of this.groupVersions()) {
      const doc = await this.document(gv);
      if (doc !== undefined) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${doc.hash}` };
    }
    return { paths };
  }

  /** The document of `api/v1` or `apis/<g>/<v>`, or undefined when nothing is served there. */
  async document(gvPath: string): Promise<OpenApiDocument | undefined> {
    const defs = this.registry.resources.all().filter((d) => gvPathOf(d) === gvPath);
    if (defs.length === 0) return undefined;
    const custom = defs.filter((d) => !this.isBuiltin(d));
    if (custom.length === 0) {
      const hit = this.cache.get(gvPath);
      if (hit !== undefined) return hit;
    }
    const { schemas: builtin } = builtinSchemas();
    const components: Record<string, Schema> = {};
    const paths: Record<string, unknown> = {};
    const crdSchemas = custom.length > 0 ? await this.crdSchemas() : new Map<string, Schema>();
    for (const def of defs) {
      const name = this.schemaNameOf(def);
      if (this.isBuiltin(def)) this.addWithDeps(name, builtin, components);
      else components[name] = crdSchema(def, crdSchemas.get(`${def.group}/${def.version}/${def.plural}`));
      this.addWithDeps('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', builtin, components);
      Object.assign(paths, pathsOf(def, name));
    }
    const doc = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.0' },
      paths,
      components: { schemas: components },
    };
    const body = JSON.stringify(doc);
    const result = { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase() };
    if (custom.length === 0) this.cache.set(gvPath, result);
    return result;
  }

  /** Fields of a built-in object its schema does not know (custom kinds are checked by the registry). */
  unknownFields(def: ResourceDefinition, object: Record<string, unknown>): Promise<string[]> {
    if (!this.isBuiltin(def)) return Promise.resolve([]);
    const { schemas } = builtinSchemas();
    const schema = schemas.get(this.schemaNameOf(def));
    return Promise.resolve(schema === undefined ? [] : unknownFields(object, schema, schemas));
  }

  private groupVersions(): string[] {
    return [...new Set(this.registry.resources.all().map(gvPathOf))].sort();
  }

  private isBuiltin(def: ResourceDefinition): boolean {
    return builtinSchemas().kinds.has(`${def.group}/${def.version}/${def.kind}`);
  }

  private schemaNameOf(def: ResourceDefinition): string {
    return (
      builtinSchemas().kinds.get(`${def.group}/${def.version}/${def.kind}`) ??
      `${def.group.split('.').reverse().join('.')}.${def.version}.${def.kind}`
    );
  }

  private addWithDeps(name: string, from: ReadonlyMap<string, Schema>, into: Record<string, Schema>): void {
    const pending = [name];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (into[next] !== undefined) continue;
      const schema = from.get(next);
      if (schema === undefined) continue;
      into[next] = schema;
      for (const [, ref] of JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([^"]+)"/g))
        if (ref !== undefined) pending.push(ref);
    }
  }

  private async crdSchemas(): Promise<Map<string, Schema>> {
    const out = new Map<string, Schema>();
    const list = await this.registry.list({ user: systemAdmin }, resources.CustomResourceDefinitions, {});
    for (const obj of list.items as apiextensionsv1.CustomResourceDefinition[]) {
      for (const v of obj.spec.versions) {
        const schema = v.schema?.openAPIV3Schema as Schema | undefined;
        if (schema !== undefined) out.set(`${obj.spec.group}/${v.name}/${obj.spec.names.plural}`, schema);
      }
    }
    return out;
  }
}

/** `api/v1` or `apis/<group>/<version>`. */
export function gvPathOf(def: { readonly group: string; readonly version: string }): string {
  return def.group === '' ? `api/${def.version}` : `apis/${def.group}/${def.version}`;
}

function crdSchema(def: ResourceDefinition, schema: Schema | undefined): Schema {
  const props = { ...((schema?.['properties'] as Record<string, Schema> | undefined) ?? {}) };
  props['apiVersion'] = {
    type: 'string',
    description: 'APIVersion defines the versioned schema of this representation of an object.',
  };
  props['kind'] = {
    type: 'string',
    description: 'Kind is a string value representing the REST resource this object represents.',
  };
  props['metadata'] = {
    allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
  };
  return {
    type: 'object',
    ...(schema ?? { 'x-kubernetes-preserve-unknown-fields': true }),
    properties: props,
    'x-kubernetes-group-version-kind': [{ group: def.group, version: def.version, kind: def.kind }],
  };
}

function pathsOf(def: ResourceDefinition, schemaName: string): Record<string, unknown> {
  const base = `/${gvPathOf(def)}${def.namespaced ? '/namespaces/{namespace}' : ''}/${def.plural}`;
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const ref = { $ref: `#/components/schemas/${schemaName}` };
  const content = { 'application/json': { schema: ref } };
  const op = (action: string, params: unknown[] = []): unknown => ({
    operationId: `${action}${def.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    parameters: params,
    responses: { '200': { description: 'OK', content } },
  });
  const write = [dryRunParam, fieldManagerParam, fieldValidationParam];
  const nameParams = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }];
  return {
    [base]: { get: op('list'), post: { ...(op('post', write) as object), requestBody: { content } } },
    [`${base}/{name}`]: {
      parameters: nameParams,
      get: op('get'),
      put: { ...(op('put', write) as object), requestBody: { content } },
      patch: {
        ...(op('patch', [...write, forceParam]) as object),
        requestBody: {
          content: Object.fromEntries(
            [
              'application/json-patch+json',
              'application/merge-patch+json',
              'application/strategic-merge-patch+json',
              'application/apply-patch+yaml',
            ].map((t) => [t, { schema: { type: 'object' } }]),
          ),
        },
      },
      delete: op('delete', [dryRunParam]),
    },
  };
}
