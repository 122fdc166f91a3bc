import { ApiError, type corev1 } from '@tugboat/core';

/** Where a container's environment reads ConfigMaps, Secrets and Services from. */
export interface EnvSources {
  /** `undefined` when it does not exist. */
  getConfigMap(namespace: string, name: string): Promise<corev1.ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<corev1.Secret | undefined>;
  /** The Services whose variables a pod in `namespace` gets (its namespace's, plus `default/kubernetes`). */
  services(namespace: string): readonly corev1.Service[];
}

/** What the downward API and the service variables need beside the pod. */
export interface EnvContext {
  readonly sources: EnvSources;
  readonly nodeName: string;
  readonly hostIp: string;
  readonly podIp: string | undefined;
}

/** SEAM STUB — implemented by the env owner. */
export function containerEnv(
  _pod: corev1.Pod,
  _container: corev1.Container,
  _context: EnvContext,
): Promise<{ key: string; value: string }[]> {
  return Promise.reject(new ApiError('Internal', 'not implemented'));
}
