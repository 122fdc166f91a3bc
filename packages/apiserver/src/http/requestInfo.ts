/**
 * What a request path addresses, as upstream's `RequestInfo`: an API resource request
 * (`/apis/apps/v1/namespaces/ns/deployments/web/scale`) or a non-resource path (`/healthz`).
 */
export interface RequestInfo {
  readonly path: string;
  readonly resourceRequest: boolean;
  /** `api` or `apis` for API paths. */
  readonly prefix?: 'api' | 'apis';
  readonly group: string;
  readonly version: string;
  readonly namespace?: string;
  readonly resource: string;
  readonly name?: string;
  readonly subresource?: string;
  /** The Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection, or the HTTP method lowercased. */
  readonly verb: string;
  /** Extra path segments after the subresource (`proxy` paths); empty otherwise. */
  readonly rest: readonly string[];
}

const namespaceSubresources = new Set(['status', 'finalize']);
const itemVerbs: Readonly<Record<string, string>> = {
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
  POST: 'create',
};
const collectionVerbs: Readonly<Record<string, string>> = {
  GET: 'list',
  HEAD: 'list',
  POST: 'create',
  DELETE: 'deletecollection',
  PUT: 'update',
  PATCH: 'patch',
};

/**
 * Parses a request path and method into a {@link RequestInfo}. Paths under `/api/v1` and
 * `/apis/<group>/<version>` with a resource are resource requests; discovery documents
 * (`/api`, `/apis/apps/v1`) and everything else are not. `?watch=true` and the legacy
 * `/watch/` segment make the verb `watch`.
 */
export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const lowered = method.toLowerCase();
  const plain: RequestInfo = {
    path,
    resourceRequest: false,
    group: '',
    version: '',
    resource: '',
    verb: lowered,
    rest: [],
  };
  const parts = path.split('/').filter((p) => p !== '');
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return plain;
  let i = 1;
  let group = '';
  if (prefix === 'apis') {
    group = parts[i++] ?? '';
    if (group === '') return plain;
  }
  const version = parts[i++];
  if (version === undefined) return { ...plain, prefix, group };
  let segs = parts.slice(i).map(safeDecode);
  if (segs.length === 0) return { ...plain, prefix, group, version };
  let watchPath = false;
  if (segs[0] === 'watch') {
    watchPath = true;
    segs = segs.slice(1);
  }
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length === 3 && namespaceSubresources.has(segs[2] ?? '')) {
    // `/api/v1/namespaces/ns/status` and `/finalize` are the namespace's own subresources.
  } else if (segs[0] === 'namespaces' && segs.length >= 3) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  const [resource = '', name, subresource, ...rest] = segs;
  const isCollection = name === undefined;
  let verb = (isCollection ? collectionVerbs : itemVerbs)[method] ?? lowered;
  const watchParam = query.get('watch');
  if (watchPath || (method === 'GET' && (watchParam === 'true' || watchParam === '1'))) verb = 'watch';
  return {
    path,
    resourceRequest: true,
    prefix,
    group,
    version,
    ...(namespace !== undefined ? { namespace } : {}),
    resource,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    verb,
    rest,
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
