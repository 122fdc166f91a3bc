import type { apiextensionsv1, StatusCause } from '@tugboat/core';

import { SchemaValidator } from './SchemaValidator.js';
import type { SchemaNode } from './toJsonSchema.js';

type Crd = apiextensionsv1.CustomResourceDefinition;

const label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const kindPattern = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Validates a CustomResourceDefinition as upstream does: group, names, scope, versions with exactly
 * one storage version and a schema each (which must compile), the name `<plural>.<group>`, and on
 * update the immutable group and scope. Returns every problem.
 */
export function validateCrd(crd: Crd, old?: Crd): StatusCause[] {
  const causes: StatusCause[] = [];
  const req = (field: string): void =>
    void causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
  const bad = (field: string, value: unknown, why: string): void =>
    void causes.push({
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
    });
  const spec = crd.spec as Partial<Crd['spec']> | undefined;
  if (spec === undefined) {
    req('spec');
    return causes;
  }
  const group = spec.group ?? '';
  if (!group) req('spec.group');
  else if (!subdomain.test(group)) bad('spec.group', group, 'a lowercase RFC 1123 subdomain is required');
  else if (!group.includes('.')) bad('spec.group', group, 'should be a domain with at least one dot');
  const names = spec.names as Partial<Crd['spec']['names']> | undefined;
  const plural = names?.plural ?? '';
  if (!plural) req('spec.names.plural');
  else if (!label.test(plural))
    bad(
      'spec.names.plural',
      plural,
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
    );
  if (names?.singular && !label.test(names.singular))
    bad('spec.names.singular', names.singular, 'a lowercase RFC 1123 label is required');
  if (!names?.kind) req('spec.names.kind');
  else if (!kindPattern.test(names.kind)) bad('spec.names.kind', names.kind, 'must be a valid kind name');
  if (names?.listKind && !kindPattern.test(names.listKind))
    bad('spec.names.listKind', names.listKind, 'must be a valid kind name');
  for (const [i, s] of (names?.shortNames ?? []).entries()) {
    if (!label.test(s)) bad(`spec.names.shortNames[${i}]`, s, 'a lowercase RFC 1123 label is required');
  }
  if (plural && group && crd.metadata?.name !== `${plural}.${group}`) {
    bad('metadata.name', crd.metadata?.name ?? '', 'must be spec.names.plural+"."+spec.group');
  }
  if (!spec.scope) req('spec.scope');
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.scope',
      message: `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
    });
  }
  validateVersions(spec.versions, causes, req, bad);
  if (old) {
    if (old.spec.group !== spec.group) bad('spec.group', group, 'field is immutable');
    if (old.spec.scope !== spec.scope) bad('spec.scope', spec.scope, 'field is immutable');
  }
  return causes;
}

function validateVersions(
  versions: Crd['spec']['versions'] | undefined,
  causes: StatusCause[],
  req: (f: string) => void,
  bad: (f: string, v: unknown, why: string) => void,
): void {
  if (!Array.isArray(versions) || versions.length === 0) {
    req('spec.versions');
    return;
  }
  const storage = versions.filter((v) => v.storage).length;
  if (storage !== 1) bad('spec.versions', storage, 'must have exactly one version marked as storage version');
  if (!versions.some((v) => v.served))
    bad('spec.versions', 'served', 'must have at least one served version');
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    const at = `spec.versions[${i}]`;
    const version = v.name as string | undefined;
    if (!version) req(`${at}.name`);
    else if (!label.test(version)) bad(`${at}.name`, version, 'a DNS-1035 label is required');
    else if (seen.has(version))
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `${at}.name`,
        message: `Duplicate value: ${JSON.stringify(version)}`,
      });
    seen.add(version ?? '');
    const schema = v.schema?.openAPIV3Schema as SchemaNode | undefined;
    if (schema === undefined) {
      causes.push({
        reason: 'FieldValueRequired',
        field: `${at}.schema.openAPIV3Schema`,
        message: 'Required value: schemas are required',
      });
      continue;
    }
    try {
      new SchemaValidator(schema, `${at}.schema.openAPIV3Schema`);
    } catch (err) {
      const detail = (err as { details?: { causes?: StatusCause[] } }).details?.causes ?? [];
      causes.push(...detail);
    }
  }
}
