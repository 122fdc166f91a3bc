import { ApiError } from '../errors/ApiError.js';
import type { KubeObject } from './KubeObject.js';

/** The cache key of an object: `namespace/name`, or `name` for a cluster-scoped object. */
export function objectKey(
  obj: KubeObject | { readonly namespace?: string | undefined; readonly name: string },
): string {
  const meta = 'name' in obj && typeof obj.name === 'string' ? obj : ((obj as KubeObject).metadata ?? {});
  const name = (meta as { name?: string }).name ?? '';
  const namespace = (meta as { namespace?: string }).namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key made by {@link objectKey}; throws an `ApiError` `BadRequest` when it has more than one `/`. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { name: parts[0] ?? '' };
  if (parts.length === 2) {
    const [namespace = '', name = ''] = parts;
    return namespace === '' ? { name } : { namespace, name };
  }
  throw new ApiError('BadRequest', `unexpected key format: ${JSON.stringify(key)}`);
}
