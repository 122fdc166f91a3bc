import {
  ApiError,
  apiVersionOf,
  type KubeObject,
  type PatchType,
  type ResourceDefinition,
} from '@tugboat/core';

import { forceQuery } from '../apply/forceQuery.js';
import { applyPatch } from '../patch/applyPatch.js';
import type { Registry } from '../registry/Registry.js';
import type { RequestContext } from '../registry/RequestContext.js';
import { tableVersion } from './accept.js';
import { decodeObjectBody, mediaType, parseJson, readBody } from './body.js';
import type { NodeProxy, NodeProxySubresource } from './hooks.js';
import type { OpenApi } from './openapi/OpenApi.js';
import { deleteOptions, listQuery, writeQuery, type WriteQuery } from './queryOptions.js';
import type { RequestState } from './RequestState.js';
import { sendJson } from './respond.js';
import { toTable, type IncludeObject } from './table/toTable.js';

const patchTypes: Readonly<Record<string, PatchType>> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
};
const applyPatchType = 'application/apply-patch+yaml';
const proxied = new Set<string>(['log', 'exec', 'attach', 'portforward']);

/**
 * Serves the verbs on resources (get, list, create, update, patch, delete, deletecollection) and
 * their subresources, translating HTTP to {@link Registry} calls; watches go to the watch stream.
 * Returns the HTTP code written.
 */
export class ResourceHandler {
  constructor(
    private readonly registry: Registry,
    private readonly openapi: OpenApi,
    private readonly nodeProxy: NodeProxy,
    private readonly maxBodyBytes: number,
  ) {}

  async handle(s: RequestState): Promise<number> {
    const { info, def } = s;
    const method = s.req.method ?? 'GET';
    if (info.subresource !== undefined) return this.subresource(s, info.subresource);
    if (info.name === undefined) {
      if (def.namespaced && info.namespace === undefined && method !== 'GET') {
        throw methodNotAllowed(method, info.path);
      }
      switch (method) {
        case 'GET':
        case 'HEAD':
          return this.list(s);
        case 'POST':
          return this.create(s);
        case 'DELETE':
          return this.deleteCollection(s);
        default:
          throw methodNotAllowed(method, info.path);
      }
    }
    switch (method) {
      case 'GET':
      case 'HEAD':
        return this.sendObject(s, await this.registry.get(this.ctx(s), def, info.name));
      case 'PUT':
        return this.update(s);
      case 'PATCH':
        return this.patch(s);
      case 'DELETE':
        return this.delete(s);
      default:
        throw methodNotAllowed(method, info.path);
    }
  }

  private async list(s: RequestState): Promise<number> {
    const list = await this.registry.list(this.ctx(s), s.def, listQuery(s.query, s.info.namespace));
    const table = tableVersion(s.req.headers.accept);
    if (table === undefined) return this.send(s, 200, list);
    return this.send(
      s,
      200,
      toTable(s.def, list.items, {
        apiVersion: table,
        includeObject: includeObject(s.query),
        resourceVersion: list.metadata.resourceVersion,
        ...(list.metadata.continue ? { continue: list.metadata.continue } : {}),
      }),
    );
  }

  private async create(s: RequestState): Promise<number> {
    const write = writeQuery(s.query);
    const body = await this.objectBody(s, write);
    return this.send(s, 201, await this.registry.create(this.ctx(s, write, body), s.def, body));
  }

  private async update(s: RequestState): Promise<number> {
    const write = writeQuery(s.query);
    const body = await this.objectBody(s, write);
    checkName(body, s.info.name ?? '');
    return this.send(s, 200, await this.registry.update(this.ctx(s, write, body), s.def, body));
  }

  private async patch(s: RequestState, subresource?: string): Promise<number> {
    const write = writeQuery(s.query);
    if (mediaType(s.req) === applyPatchType) {
      const config = decodeObjectBody('application/yaml', await readBody(s.req, this.maxBodyBytes));
      const options = { force: forceQuery(s.query), ...(subresource !== undefined ? { subresource } : {}) };
      const result = await this.registry.apply(this.ctx(s, write), s.def, s.info.name ?? '', config, options);
      return this.send(s, result.created ? 201 : 200, result.object);
    }
    const patch = await this.patchBody(s);
    const name = s.info.name ?? '';
    return this.send(
      s,
      200,
      await this.registry.patch(this.ctx(s, write), s.def, name, patch.type, patch.body, subresource),
    );
  }

  private async delete(s: RequestState): Promise<number> {
    const write = writeQuery(s.query);
    const options = deleteOptions(await this.optionalBody(s), s.query, write);
    const result = await this.registry.delete(this.ctx(s, write), s.def, s.info.name ?? '', options);
    return this.send(s, 200, result);
  }

  private async deleteCollection(s: RequestState): Promise<number> {
    const write = writeQuery(s.query);
    const options = deleteOptions(await this.optionalBody(s), s.query, write);
    const list = listQuery(s.query, s.info.namespace);
    return this.send(s, 200, await this.registry.deleteCollection(this.ctx(s, write), s.def, list, options));
  }

  private async subresource(s: RequestState, sub: string): Promise<number> {
    const { def, info } = s;
    const method = s.req.method ?? 'GET';
    const name = info.name ?? '';
    if (!def.subresources.includes(sub as never)) throw notFound(info.path);
    if (proxied.has(sub)) {
      await this.nodeProxy.handle(
        {
          subresource: sub as NodeProxySubresource,
          namespace: info.namespace ?? '',
          name,
          user: s.user,
          query: s.query,
          req: s.req,
        },
        s.res,
      );
      return s.res.statusCode;
    }
    const write = writeQuery(s.query);
    if (method === 'GET')
      return this.send(s, 200, await this.registry.getSubresource(this.ctx(s), def, name, sub));
    if (sub === 'status' && method === 'PUT') {
      const body = await this.objectBody(s, write);
      checkName(body, name);
      return this.send(s, 200, await this.registry.update(this.ctx(s, write, body), def, body, 'status'));
    }
    if ((sub === 'status' || sub === 'approval') && method === 'PATCH') return this.patch(s, sub);
    if (method === 'PUT') {
      const body = decodeObjectBody(mediaType(s.req), await readBody(s.req, this.maxBodyBytes));
      return this.send(
        s,
        200,
        await this.registry.updateSubresource(this.ctx(s, write), def, name, sub, body),
      );
    }
    if (method === 'PATCH' && sub === 'scale') {
      const patch = await this.patchBody(s);
      const current = await this.registry.getSubresource(this.ctx(s), def, name, sub);
      const scaleDef = { ...def, group: 'autoscaling', version: 'v1', kind: 'Scale' } as ResourceDefinition;
      const next = applyPatch(current, patch.type, patch.body, scaleDef);
      return this.send(
        s,
        200,
        await this.registry.updateSubresource(this.ctx(s, write), def, name, sub, next),
      );
    }
    if (method === 'POST') {
      const body = decodeObjectBody(mediaType(s.req), await readBody(s.req, this.maxBodyBytes));
      const result = await this.registry.createSubresource(this.ctx(s, write), def, name, sub, body);
      return this.send(s, 201, result);
    }
    throw methodNotAllowed(method, info.path);
  }

  /** Reads, decodes and checks an object body: apiVersion/kind/namespace against the URL, unknown fields. */
  private async objectBody(s: RequestState, write: WriteQuery): Promise<Record<string, unknown>> {
    const body = decodeObjectBody(mediaType(s.req), await readBody(s.req, this.maxBodyBytes));
    const { def, info } = s;
    const apiVersion = body['apiVersion'];
    const kind = body['kind'];
    if (apiVersion !== undefined && apiVersion !== apiVersionOf(def)) {
      throw new ApiError(
        'BadRequest',
        `the API version in the data (${JSON.stringify(apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`,
      );
    }
    if (kind !== undefined && kind !== def.kind && !(info.subresource === 'status' && kind === def.kind)) {
      throw new ApiError(
        'BadRequest',
        `the kind in the data (${JSON.stringify(kind)}) does not match the expected kind (${def.kind})`,
      );
    }
    const meta = body['metadata'];
    if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) {
      throw new ApiError('BadRequest', 'metadata: must be an object');
    }
    const ns = (meta as { namespace?: unknown } | undefined)?.namespace;
    if (def.namespaced && ns !== undefined && ns !== '' && ns !== info.namespace) {
      throw new ApiError(
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (write.fieldValidation !== 'Ignore') {
      const unknown = await this.openapi.unknownFields(def, body);
      if (unknown.length > 0 && write.fieldValidation === 'Strict') {
        throw new ApiError(
          'BadRequest',
          `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
        );
      }
      if (unknown.length > 0) {
        s.res.setHeader('Warning', unknown.map((f) => `299 - "unknown field \\"${f}\\""`).join(', '));
      }
    }
    return body;
  }

  private async patchBody(s: RequestState): Promise<{ type: PatchType; body: unknown }> {
    const type = mediaType(s.req);
    if (type === applyPatchType) {
      throw new ApiError(
        'UnsupportedMediaType',
        `server-side apply (${applyPatchType}) is not supported on ${s.info.subresource ?? 'this'} subresource`,
      );
    }
    const patchType = patchTypes[type];
    if (patchType === undefined) {
      throw new ApiError(
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${[...Object.keys(patchTypes), applyPatchType].join(', ')}`,
      );
    }
    return { type: patchType, body: parseJson(await readBody(s.req, this.maxBodyBytes)) };
  }

  private async optionalBody(s: RequestState): Promise<Record<string, unknown> | undefined> {
    const raw = await readBody(s.req, this.maxBodyBytes);
    if (raw.length === 0 || raw.toString().trim() === '') return undefined;
    return decodeObjectBody(mediaType(s.req), raw);
  }

  private ctx(s: RequestState, write?: WriteQuery, body?: Record<string, unknown>): RequestContext {
    const ns =
      s.info.namespace ??
      ((body?.['metadata'] as { namespace?: string } | undefined)?.namespace || undefined);
    return {
      user: s.user,
      ...(ns !== undefined ? { namespace: ns } : {}),
      ...(write?.dryRun ? { dryRun: true } : {}),
      ...(write?.fieldManager !== undefined ? { fieldManager: write.fieldManager } : {}),
      ...(write?.fieldValidation !== undefined ? { fieldValidation: write.fieldValidation } : {}),
      ...(s.req.headers['user-agent'] !== undefined ? { userAgent: s.req.headers['user-agent'] } : {}),
    };
  }

  /** Sends one object, as a one-row Table when the client asks for Tables. */
  private sendObject(s: RequestState, obj: KubeObject): number {
    const table = tableVersion(s.req.headers.accept);
    if (table === undefined) return this.send(s, 200, obj);
    const rv = obj.metadata?.resourceVersion;
    return this.send(
      s,
      200,
      toTable(s.def, [obj], {
        apiVersion: table,
        includeObject: includeObject(s.query),
        ...(rv !== undefined ? { resourceVersion: rv } : {}),
      }),
    );
  }

  private send(s: RequestState, code: number, body: unknown): number {
    sendJson(s.res, code, body, s.pretty);
    return code;
  }
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === null || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'Object' || v === 'None') return v;
  throw new ApiError(
    'BadRequest',
    `includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "Object", "None"`,
  );
}

function checkName(body: Record<string, unknown>, name: string): void {
  const meta = (body['metadata'] ?? {}) as { name?: unknown };
  if (meta.name !== undefined && meta.name !== name) {
    throw new ApiError(
      'BadRequest',
      `the name of the object (${JSON.stringify(meta.name)}) does not match the name on the URL (${name})`,
    );
  }
}

/** A 404 Status for a path the server does not serve. */
export function notFound(path: string): ApiError {
  return new ApiError('NotFound', `the server could not find the requested resource (${path})`);
}

/** A 405 Status for a method the path does not take. */
export function methodNotAllowed(method: string, path: string): ApiError {
  return new ApiError(
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method} ${path})`,
  );
}
