import type { corev1 } from '@tugboat/core';

import type { Unchecked } from '../validation/Unchecked.js';

/** The tag of an image reference, `''` when it has none (a digest reference also has none). */
function imageTag(image: string): { tag: string; digest: boolean } {
  const at = image.indexOf('@');
  if (at >= 0) return { tag: '', digest: true };
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return { tag: colon > lastSlash ? image.slice(colon + 1) : '', digest: false };
}

/** Upstream's image pull policy default: `Always` for `:latest` or no tag, else `IfNotPresent`. */
export function defaultPullPolicy(image: string | undefined): string {
  const { tag, digest } = imageTag(image ?? '');
  return !digest && (tag === '' || tag === 'latest') ? 'Always' : 'IfNotPresent';
}

function defaultHandler(handler: Unchecked<corev1.LifecycleHandler | corev1.Probe> | undefined): void {
  const http = handler?.httpGet;
  if (http) {
    http.path ??= '/';
    http.scheme ??= 'HTTP';
  }
}

function defaultProbe(probe: Unchecked<corev1.Probe> | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  defaultHandler(probe);
}

function defaultContainer(
  c: Unchecked<corev1.Container | corev1.EphemeralContainer>,
  hostNetwork: boolean,
): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  for (const port of c.ports ?? []) {
    port.protocol ??= 'TCP';
    // On the host network a container port is a host port.
    if (hostNetwork && port.hostPort === undefined) port.hostPort = port.containerPort;
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
  for (const env of c.env ?? []) {
    const fieldRef = env.valueFrom?.fieldRef;
    if (fieldRef) fieldRef.apiVersion ??= 'v1';
  }
}

const volumeSources = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'hostPath',
  'image',
  'iscsi',
  'nfs',
  'persistentVolumeClaim',
  'photonPersistentDisk',
  'portworxVolume',
  'projected',
  'quobyte',
  'rbd',
  'scaleIO',
  'secret',
  'storageos',
  'vsphereVolume',
] as const;

/** The names of the mutually exclusive volume source fields of a `Volume`. */
export const volumeSourceFields: readonly string[] = volumeSources;

/** 0644, the default file mode of projected volume files. */
const defaultMode = 0o644;

function defaultVolume(v: Unchecked<corev1.Volume>): void {
  const record = v as unknown as Record<string, unknown>;
  // A volume with no source is an emptyDir, as upstream defaults it.
  if (!volumeSources.some((s) => record[s] !== undefined)) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= defaultMode;
  if (v.configMap) v.configMap.defaultMode ??= defaultMode;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= defaultMode;
  if (v.projected) v.projected.defaultMode ??= defaultMode;
  if (v.hostPath) v.hostPath.type ??= '';
  for (const item of v.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ??= 'v1';
}

/**
 * Fills the defaults upstream applies to every `PodSpec`, in a Pod and in a pod template alike
 * (restartPolicy, dnsPolicy, grace period, scheduler, container pull policies, probes, ports…).
 */
export function defaultPodSpec(spec: Unchecked<corev1.PodSpec> | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  const hostNetwork = spec.hostNetwork === true;
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.containers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c, hostNetwork);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}
