import { ApiError, type corev1 } from '@tugboat/core';

import { DockerKeyring, type DockerConfigEntry } from './DockerKeyring.js';

/** Where {@link podKeyring} reads a pod's pull secrets and its ServiceAccount from. */
export interface PullSecretSources {
  getSecret(namespace: string, name: string): Promise<corev1.Secret | undefined>;
  getServiceAccount(namespace: string, name: string): Promise<corev1.ServiceAccount | undefined>;
}

/** A pull secret that could not be used, and why (for the `FailedToRetrieveImagePullSecret` event). */
export interface BadPullSecret {
  readonly name: string;
  readonly reason: string;
}

/** The outcome of {@link podKeyring}. */
export interface PodKeyring {
  readonly keyring: DockerKeyring;
  /** Secrets that are missing, of the wrong type or malformed; the pull goes on without them. */
  readonly bad: readonly BadPullSecret[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `auths` map of a secret, or why it has none. */
function authsOf(secret: corev1.Secret): Record<string, DockerConfigEntry> | string {
  const data = secret.data ?? {};
  const decode = (key: string): string | undefined => {
    const raw = data[key] ?? secret.stringData?.[key];
    if (raw === undefined || raw === '') return undefined;
    return data[key] !== undefined ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  };
  let text: string | undefined;
  let legacy = false;
  if (secret.type === 'kubernetes.io/dockerconfigjson') text = decode('.dockerconfigjson');
  else if (secret.type === 'kubernetes.io/dockercfg') {
    text = decode('.dockercfg');
    legacy = true;
  } else {
    return `it is of type "${secret.type ?? 'Opaque'}", not kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg`;
  }
  if (text === undefined) return `it has no ${legacy ? '.dockercfg' : '.dockerconfigjson'} key`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `its ${legacy ? '.dockercfg' : '.dockerconfigjson'} is not valid JSON: ${(err as Error).message}`;
  }
  const auths = legacy ? parsed : isRecord(parsed) ? parsed['auths'] : undefined;
  if (!isRecord(auths))
    return legacy ? 'its .dockercfg is not a JSON object' : 'its .dockerconfigjson has no "auths" object';
  return auths as Record<string, DockerConfigEntry>;
}

/**
 * Builds the keyring a pod pulls with, as upstream's `getPullSecretsForPod` and
 * `MakeDockerKeyring`: the pod's `imagePullSecrets` and then its ServiceAccount's (upstream's
 * ServiceAccount admission copies those into the pod; reading them here also covers pods created
 * without it). A secret that is missing, of another type or malformed is reported in `bad` and
 * left out, so the pull proceeds with the rest or anonymously.
 */
export async function podKeyring(sources: PullSecretSources, pod: corev1.Pod): Promise<PodKeyring> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const names: string[] = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) if (ref.name) names.push(ref.name);
  const saName = pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? 'default';
  // A kubelet not allowed to read ServiceAccounts still pulls with the pod's own secrets.
  const sa = await sources.getServiceAccount(namespace, saName).catch((err: unknown) => {
    if (ApiError.is(err, 'Forbidden', 'NotFound')) return undefined;
    throw err;
  });
  for (const ref of sa?.imagePullSecrets ?? [])
    if (ref.name && !names.includes(ref.name)) names.push(ref.name);

  const keyring = new DockerKeyring();
  const bad: BadPullSecret[] = [];
  for (const name of names) {
    let secret: corev1.Secret | undefined;
    try {
      secret = await sources.getSecret(namespace, name);
    } catch (err) {
      if (!ApiError.is(err, 'Forbidden', 'NotFound')) throw err;
      bad.push({ name, reason: err.message });
      continue;
    }
    if (!secret) {
      bad.push({ name, reason: 'it does not exist' });
      continue;
    }
    const auths = authsOf(secret);
    if (typeof auths === 'string') {
      bad.push({ name, reason: auths });
      continue;
    }
    try {
      keyring.add(auths);
    } catch (err) {
      bad.push({ name, reason: (err as Error).message });
    }
  }
  return { keyring, bad };
}
