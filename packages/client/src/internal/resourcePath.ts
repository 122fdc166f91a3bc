import { ApiError, type ResourceRef } from '@tugboat/core';

/** The URL path of a resource collection, an item or a subresource. */
export function resourcePath(
  ref: Pick<ResourceRef, 'group' | 'version' | 'plural' | 'namespaced'>,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const item = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  const sub = subresource !== undefined ? `/${encodeURIComponent(subresource)}` : '';
  return `${base}${ns}/${ref.plural}${item}${sub}`;
}

/** The namespace a call on one namespaced object needs, or the same BadRequest the server gives. */
export function requireNamespace(
  ref: Pick<ResourceRef, 'group' | 'plural' | 'namespaced'>,
  namespace: string | undefined,
): string | undefined {
  if (!ref.namespaced) return undefined;
  if (!namespace) {
    const key = ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
    throw new ApiError('BadRequest', `a namespace is required for the namespaced resource ${key}`);
  }
  return namespace;
}

/** Appends query parameters, skipping undefined values and repeating arrays. */
export function withQuery(
  path: string,
  params: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>,
): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) q.append(key, v);
    else q.append(key, String(value));
  }
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}
