/**
 * The Docker labels that hold Tugboat's pod and container metadata. Docker keeps labels with the
 * container, so everything the Runtime reports survives a client reconnect or restart.
 */
export const labelKeys = {
  runtime: 'io.tugboat.runtime',
  kind: 'io.tugboat.kind',
  createdAt: 'io.tugboat.created-at',
  podName: 'io.tugboat.pod.name',
  podUid: 'io.tugboat.pod.uid',
  podNamespace: 'io.tugboat.pod.namespace',
  podAttempt: 'io.tugboat.pod.attempt',
  logDirectory: 'io.tugboat.pod.log-directory',
  hostNetwork: 'io.tugboat.pod.host-network',
  sandboxId: 'io.tugboat.sandbox-id',
  containerName: 'io.tugboat.container.name',
  containerAttempt: 'io.tugboat.container.attempt',
  logPath: 'io.tugboat.container.log-path',
  image: 'io.tugboat.container.image',
} as const;

/** A Docker object's labels: the Engine sends `null` when there are none, whatever the typings say. */
export function labelsOf(config: {
  readonly Labels?: Readonly<Record<string, string>> | null;
}): Readonly<Record<string, string>> {
  return config.Labels ?? {};
}

/** The value of {@link labelKeys.runtime} on every container this package creates. */
export const runtimeLabelValue = 'docker';

// User labels and annotations get their own prefixes so neither can collide with ours, with each
// other, or with labels an image carries.
const userLabelPrefix = 'io.tugboat.label/';
const annotationPrefix = 'io.tugboat.annotation/';

/** The Docker labels that store a user's labels and annotations. */
export function encodeUserLabels(
  labels: Readonly<Record<string, string>> | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) out[userLabelPrefix + k] = v;
  for (const [k, v] of Object.entries(annotations ?? {})) out[annotationPrefix + k] = v;
  return out;
}

/** A user's labels and annotations read back from Docker labels. */
export function decodeUserLabels(docker: Readonly<Record<string, string>> | undefined): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(docker ?? {})) {
    if (k.startsWith(userLabelPrefix)) labels[k.slice(userLabelPrefix.length)] = v;
    else if (k.startsWith(annotationPrefix)) annotations[k.slice(annotationPrefix.length)] = v;
  }
  return { labels, annotations };
}

/** Docker `label` filters that select objects of one kind carrying every label of `selector`. */
export function labelFilters(
  kind: 'sandbox' | 'container',
  selector?: Readonly<Record<string, string>>,
): string[] {
  const filters = [`${labelKeys.runtime}=${runtimeLabelValue}`, `${labelKeys.kind}=${kind}`];
  for (const [k, v] of Object.entries(selector ?? {})) filters.push(`${userLabelPrefix}${k}=${v}`);
  return filters;
}
