import { Quantity, validateQualifiedName, type corev1 } from '@tugboat/core';

/** Node-level facts the downward API reads beside the pod. */
export interface DownwardApiContext {
  readonly hostIps: readonly string[];
  readonly podIps: readonly string[];
  /** Node allocatable: the value of a limit the container does not set (upstream's rule). */
  readonly nodeAllocatable?: Readonly<Record<string, string>> | undefined;
}

/**
 * The error of a downward API lookup. Plain `Error`: callers wrap it in the `ApiError` their
 * context calls for, with upstream's message unchanged.
 */
export class DownwardApiError extends Error {
  override readonly name = 'DownwardApiError';
}

/** Splits `metadata.labels['key']` into path and subscript, as upstream's `SplitMaybeSubscriptedPath`. */
export function splitSubscriptedPath(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

/**
 * The value of a pod metadata field path, as upstream's `fieldpath.ExtractFieldPathAsString`
 * (what a downwardAPI volume file holds): name, namespace, uid, and labels or annotations, whole
 * (`key="value"` lines, sorted) or one key.
 */
export function extractFieldPathAsString(pod: corev1.Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const sub = splitSubscriptedPath(fieldPath);
  if (sub !== undefined) {
    const [path, key] = sub;
    if (path === 'metadata.annotations' || path === 'metadata.labels') {
      const errs = validateQualifiedName(path === 'metadata.annotations' ? key.toLowerCase() : key);
      if (errs.length > 0)
        throw new DownwardApiError(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      const map = path === 'metadata.annotations' ? meta.annotations : meta.labels;
      return map?.[key] ?? '';
    }
    throw new DownwardApiError(`fieldPath ${goQuote(fieldPath)} does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(meta.annotations ?? {});
    case 'metadata.labels':
      return formatMap(meta.labels ?? {});
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    default:
      throw new DownwardApiError(`unsupported fieldPath: ${fieldPath}`);
  }
}

const supportedEnvFields = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/**
 * The value of an env `fieldRef`, as the kubelet's `podFieldSelectorRuntimeValue`: the metadata
 * fields plus spec.nodeName, spec.serviceAccountName and the node's and pod's IPs.
 */
export function podFieldValue(
  pod: corev1.Pod,
  selector: corev1.ObjectFieldSelector,
  context: DownwardApiContext,
): string {
  const version = selector.apiVersion ?? 'v1';
  if (version !== 'v1') throw new DownwardApiError(`unsupported pod version: ${version}`);
  let path = selector.fieldPath;
  const sub = splitSubscriptedPath(path);
  if (sub !== undefined) {
    if (sub[0] !== 'metadata.annotations' && sub[0] !== 'metadata.labels')
      throw new DownwardApiError(`field label does not support subscript: ${path}`);
  } else if (path === 'spec.host') {
    path = 'spec.nodeName';
  } else if (!supportedEnvFields.has(path)) {
    throw new DownwardApiError(`field label not supported: ${path}`);
  }
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return context.hostIps[0] ?? '';
    case 'status.hostIPs':
      return context.hostIps.join(',');
    case 'status.podIP':
      return context.podIps[0] ?? '';
    case 'status.podIPs':
      return context.podIps.join(',');
    default:
      return extractFieldPathAsString(pod, path);
  }
}

/**
 * The value of a `resourceFieldRef` for a container (named by the selector or given), as upstream's
 * `ExtractResourceValueByContainerNameAndNodeAllocatable`: a limit the container does not set is
 * the node's allocatable; the value is divided by the divisor (default 1) and rounded up.
 */
export function containerResourceValue(
  selector: corev1.ResourceFieldSelector,
  pod: corev1.Pod,
  container: corev1.Container | undefined,
  nodeAllocatable: Readonly<Record<string, string>> | undefined,
): string {
  let target = container;
  if (selector.containerName !== undefined && selector.containerName !== '') {
    const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
    target = all.find((c) => c.name === selector.containerName);
    if (target === undefined) throw new DownwardApiError(`container ${selector.containerName} not found`);
  }
  if (target === undefined) throw new DownwardApiError('container name required for resourceFieldRef');
  const divisor = parseOr(selector.divisor, undefined);
  const one = Quantity.fromValue(1);
  const d = divisor === undefined || divisor.isZero() ? one : divisor;
  const [kind, resource] = splitResource(selector.resource);
  if (kind === undefined || !['cpu', 'memory', 'ephemeral-storage'].includes(resource)) {
    throw new DownwardApiError(`unsupported container resource : ${selector.resource}`);
  }
  const list = kind === 'limits' ? target.resources?.limits : target.resources?.requests;
  let value = parseOr(list?.[resource], undefined);
  if (value === undefined && kind === 'limits') value = parseOr(nodeAllocatable?.[resource], undefined);
  const v = value ?? Quantity.zero();
  if (resource === 'cpu') return String(ceilDiv(v.milliValue(), d.milliValue()));
  return String(ceilDiv(v.value(), d.value()));
}

function splitResource(resource: string): [string | undefined, string] {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  if (dot < 0 || (kind !== 'limits' && kind !== 'requests')) return [undefined, resource];
  return [kind, resource.slice(dot + 1)];
}

function parseOr(text: string | number | undefined, fallback: Quantity | undefined): Quantity | undefined {
  if (text === undefined) return fallback;
  return Quantity.tryParse(String(text)) ?? fallback;
}

function ceilDiv(n: number, d: number): number {
  if (d <= 0) throw new DownwardApiError('invalid divisor');
  return Math.ceil(n / d);
}

/** Formats a map as upstream's `fieldpath.FormatMap`: sorted `key="value"` lines. */
export function formatMap(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${goQuote(map[k] ?? '')}`)
    .join('\n');
}

const goEscapes: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Quotes a string as Go's `%q` does (escapes backslash, quote and control characters). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const esc = goEscapes[ch];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
