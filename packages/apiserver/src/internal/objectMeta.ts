import { metaTime } from '@tugboat/core';
import { randomInt, randomUUID } from 'node:crypto';

import { metaOf } from './mutable.js';
import type { KubeObject, ResourceDefinition, StatusCause } from '@tugboat/core';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The name a `generateName` yields: the prefix (cut to leave room) plus five random characters,
 * from upstream's alphabet without vowels so generated names do not spell words.
 */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet.charAt(randomInt(alphabet.length));
  return `${prefix.slice(0, 63 - 5)}${suffix}`;
}

/** Fills what the server owns on create: name from generateName, uid, timestamps, generation. */
export function fillCreateMeta(def: ResourceDefinition, obj: KubeObject, apiVersion: string): void {
  const meta = metaOf(obj);
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  meta.uid = randomUUID();
  meta.creationTimestamp = metaTime();
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (!def.namespaced) delete meta.namespace;
  obj.apiVersion = apiVersion;
  obj.kind = def.kind;
}

/** Validation every object gets: a well-formed name and, for namespaced kinds, namespace. */
export function validateObjectMeta(def: ResourceDefinition, obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = obj.metadata ?? {};
  if (!meta.name) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  } else if (def.group === 'rbac.authorization.k8s.io') {
    // RBAC names are path segments (`system:node`), checked by the RBAC strategies, as upstream.
  } else {
    const label = def.group === '' && def.plural === 'namespaces';
    const bad = label ? checkLabel(meta.name) : checkSubdomain(meta.name);
    if (bad)
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: ${JSON.stringify(meta.name)}: ${bad}`,
      });
  }
  if (def.namespaced) {
    if (!meta.namespace) {
      causes.push({ reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' });
    } else {
      const bad = checkLabel(meta.namespace);
      if (bad)
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'metadata.namespace',
          message: `Invalid value: ${JSON.stringify(meta.namespace)}: ${bad}`,
        });
    }
  }
  return causes;
}

/** Checks for an update: fields the server owns keep their values, identity fields may not change. */
export function resetUpdateMeta(obj: KubeObject, old: KubeObject): StatusCause[] {
  const meta = metaOf(obj);
  const prev = old.metadata ?? {};
  const causes: StatusCause[] = [];
  if (!meta.uid) meta.uid = prev.uid ?? '';
  for (const field of ['uid', 'name', 'namespace'] as const) {
    if ((meta[field] ?? '') !== (prev[field] ?? '')) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `metadata.${field}`,
        message: `Invalid value: ${JSON.stringify(meta[field] ?? '')}: field is immutable`,
      });
    }
  }
  if (prev.creationTimestamp !== undefined) meta.creationTimestamp = prev.creationTimestamp;
  else delete meta.creationTimestamp;
  if (prev.deletionTimestamp !== undefined) meta.deletionTimestamp = prev.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (prev.deletionGracePeriodSeconds !== undefined)
    meta.deletionGracePeriodSeconds = prev.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (prev.generation !== undefined) meta.generation = prev.generation;
  if (prev.deletionTimestamp !== undefined) {
    const had = new Set(prev.finalizers ?? []);
    if ((meta.finalizers ?? []).some((f) => !had.has(f))) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'metadata.finalizers',
        message: 'Forbidden: no new finalizers can be added if the object is being deleted',
      });
    }
  }
  return causes;
}

/** The part of an object whose change bumps `metadata.generation`: all but metadata and status. */
export function defaultSpecOf(obj: KubeObject): unknown {
  const rest: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  delete rest['metadata'];
  delete rest['status'];
  delete rest['apiVersion'];
  delete rest['kind'];
  return rest;
}

function checkSubdomain(name: string): string | undefined {
  if (name.length > 253) return 'must be no more than 253 characters';
  if (!dns1123Subdomain.test(name)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return undefined;
}

function checkLabel(name: string): string | undefined {
  if (name.length > 63) return 'must be no more than 63 characters';
  if (!dns1123Label.test(name)) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  }
  return undefined;
}
