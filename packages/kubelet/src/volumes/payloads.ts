import type { corev1 } from '@tugboat/core';

import { containerResourceValue, extractFieldPathAsString } from '../env/downwardApi.js';
import type { FileProjection } from './AtomicWriter.js';

/** The file mode of volume files that name none (upstream's 0644). */
export const defaultFileMode = 0o644;

/**
 * The files of a ConfigMap volume (or projected source), as upstream's `configmap.MakePayload`:
 * every key of `data` and `binaryData`, or just `items` (key → path, own mode). A key missing
 * from the ConfigMap is an error unless `optional`.
 */
export function configMapPayload(
  items: readonly corev1.KeyToPath[] | undefined,
  configMap: corev1.ConfigMap,
  defaultMode: number,
  optional: boolean,
): Map<string, FileProjection> {
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(configMap.data ?? {})) data.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(configMap.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
  return keyedPayload(
    items,
    data,
    defaultMode,
    optional,
    (key) => `configmap references non-existent config key: ${key}`,
  );
}

/** The files of a Secret volume (or projected source), as upstream's `secret.MakePayload`. */
export function secretPayload(
  items: readonly corev1.KeyToPath[] | undefined,
  secret: corev1.Secret,
  defaultMode: number,
  optional: boolean,
): Map<string, FileProjection> {
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) data.set(k, Buffer.from(v, 'base64'));
  return keyedPayload(
    items,
    data,
    defaultMode,
    optional,
    (key) => `references non-existent secret key: ${key}`,
  );
}

function keyedPayload(
  items: readonly corev1.KeyToPath[] | undefined,
  data: ReadonlyMap<string, Buffer>,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  if (items === undefined || items.length === 0) {
    for (const [k, v] of data) payload.set(k, { data: v, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new Error(missingKey(item.key));
    }
    payload.set(item.path, { data: value, mode: item.mode ?? defaultMode });
  }
  return payload;
}

/**
 * The files of a downwardAPI volume (or projected source), as upstream's `downwardapi.CollectData`:
 * each item's pod field or container resource. Errors of all items are collected and thrown
 * together (upstream's aggregate).
 */
export function downwardApiPayload(
  items: readonly corev1.DownwardAPIVolumeFile[],
  pod: corev1.Pod,
  defaultMode: number,
  nodeAllocatable: Readonly<Record<string, string>> | undefined,
): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  const errors: string[] = [];
  for (const item of items) {
    let value = '';
    try {
      if (item.fieldRef !== undefined) value = extractFieldPathAsString(pod, item.fieldRef.fieldPath);
      else if (item.resourceFieldRef !== undefined)
        value = containerResourceValue(item.resourceFieldRef, pod, undefined, nodeAllocatable);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  if (errors.length > 0) throw new Error(aggregate(errors));
  return payload;
}

/** Upstream's `utilerrors.NewAggregate(...).Error()`: one message alone, several as `[a, b]`. */
export function aggregate(messages: readonly string[]): string {
  return messages.length === 1 ? (messages[0] ?? '') : `[${messages.join(', ')}]`;
}
