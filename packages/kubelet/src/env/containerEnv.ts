import { ApiError, type corev1 } from '@tugboat/core';

import {
  containerResourceValue,
  DownwardApiError,
  podFieldValue,
  type DownwardApiContext,
} from './downwardApi.js';
import { expandVars, mappingFor } from './expandVars.js';
import { serviceEnv } from './serviceEnv.js';

/** Where a container's environment reads ConfigMaps, Secrets and Services from. */
export interface EnvSources {
  /** `undefined` when it does not exist. */
  getConfigMap(namespace: string, name: string): Promise<corev1.ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<corev1.Secret | undefined>;
  /**
   * The Services whose variables a pod in `namespace` gets (its namespace's, plus
   * `default/kubernetes`). Others in the list are ignored, so returning every Service is fine.
   */
  services(namespace: string): readonly corev1.Service[];
}

/** What the downward API and the service variables need beside the pod. */
export interface EnvContext {
  readonly sources: EnvSources;
  readonly nodeName: string;
  readonly hostIp: string;
  readonly podIp: string | undefined;
  /** All the node's IPs (`status.hostIPs`); default `[hostIp]`. */
  readonly hostIps?: readonly string[];
  /** All the pod's IPs (`status.podIPs`); default `[podIp]`. */
  readonly podIps?: readonly string[];
  /** Node allocatable (`cpu`, `memory`, `ephemeral-storage`): a `resourceFieldRef` to an unset limit reads it. */
  readonly nodeAllocatable?: Readonly<Record<string, string>>;
}

/** A warning upstream records as an event while building the environment. */
export interface EnvWarning {
  /** `InvalidEnvironmentVariableNames`. */
  readonly reason: string;
  /** Upstream's event message, e.g. `Keys [1A, B C] from the EnvFrom configMap ns/x were skipped since …`. */
  readonly message: string;
}

/** A resolved container environment and the warnings to record as Warning events on the pod. */
export interface ResolvedEnv {
  readonly env: { key: string; value: string }[];
  readonly warnings: EnvWarning[];
}

/**
 * The CRI environment of a container, as the kubelet's `makeEnvironmentVariables`: the service
 * variables, then `envFrom` (ConfigMaps and Secrets, with prefix) and `env` (values with `$(VAR)`
 * expansion, ConfigMap and Secret keys, downward API fields and resources); later definitions
 * override earlier ones and the container's own win over service variables. `envFrom` keys that
 * are not valid variable names are skipped (see {@link resolveContainerEnv} for the warning).
 * Throws an `ApiError` `Invalid` whose message is upstream's CreateContainerConfigError message
 * (`configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`, `secret "s" not found`).
 */
export async function containerEnv(
  pod: corev1.Pod,
  container: corev1.Container,
  context: EnvContext,
): Promise<{ key: string; value: string }[]> {
  return (await resolveContainerEnv(pod, container, context)).env;
}

/** {@link containerEnv} with the warnings upstream records as events (invalid `envFrom` keys). */
export async function resolveContainerEnv(
  pod: corev1.Pod,
  container: corev1.Container,
  context: EnvContext,
): Promise<ResolvedEnv> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const services = serviceEnv(
    context.sources.services(namespace),
    namespace,
    pod.spec?.enableServiceLinks !== false,
  );
  const lookups = new Lookups(context.sources, namespace);
  const vars = new Map<string, string>();
  const warnings: EnvWarning[] = [];

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (ref === undefined) continue;
    const kind = from.configMapRef !== undefined ? 'configMap' : 'secret';
    const data =
      kind === 'configMap'
        ? (await lookups.configMap(ref.name ?? ''))?.data
        : secretData(await lookups.secret(ref.name ?? ''));
    if (data === undefined) {
      if (ref.optional === true) continue;
      throw missing(kind, ref.name ?? '');
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const key = (from.prefix ?? '') + k;
      if (!isEnvVarName(key)) invalid.push(key);
      else vars.set(key, v);
    }
    if (invalid.length > 0) {
      warnings.push({
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind} ${namespace}/${ref.name ?? ''} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  const downward: DownwardApiContext = {
    hostIps: context.hostIps ?? (context.hostIp ? [context.hostIp] : []),
    podIps: context.podIps ?? (context.podIp ? [context.podIp] : []),
    nodeAllocatable: context.nodeAllocatable,
  };
  // Reads `vars` live, so a value sees the variables defined before it.
  const mapping = mappingFor(vars, services);
  for (const envVar of container.env ?? []) {
    const value = await envValue(envVar, pod, container, downward, lookups, namespace, mapping);
    if (value !== undefined) vars.set(envVar.name, value);
  }

  const env: { key: string; value: string }[] = [];
  for (const [key, value] of services) if (!vars.has(key)) env.push({ key, value });
  for (const [key, value] of vars) env.push({ key, value });
  return { env, warnings };
}

/** One `env` entry's value; `undefined` when an optional source or key is absent (no variable). */
async function envValue(
  envVar: corev1.EnvVar,
  pod: corev1.Pod,
  container: corev1.Container,
  downward: DownwardApiContext,
  lookups: Lookups,
  namespace: string,
  mapping: (name: string) => string,
): Promise<string | undefined> {
  if (envVar.value !== undefined && envVar.value !== '') return expandVars(envVar.value, mapping);
  const from = envVar.valueFrom;
  if (from === undefined) return envVar.value ?? '';
  try {
    if (from.fieldRef !== undefined) return podFieldValue(pod, from.fieldRef, downward);
    if (from.resourceFieldRef !== undefined)
      return containerResourceValue(from.resourceFieldRef, pod, container, downward.nodeAllocatable);
  } catch (err) {
    if (err instanceof DownwardApiError) throw new ApiError('Invalid', err.message, {}, { cause: err });
    throw err;
  }
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  if (ref === undefined) return envVar.value ?? '';
  const kind = from.configMapKeyRef !== undefined ? 'configMap' : 'secret';
  const name = ref.name ?? '';
  const data =
    kind === 'configMap' ? (await lookups.configMap(name))?.data : secretData(await lookups.secret(name));
  const optional = ref.optional === true;
  if (data === undefined) {
    if (optional) return undefined;
    throw missing(kind, name);
  }
  const value = data[ref.key];
  if (value === undefined) {
    if (optional) return undefined;
    const what = kind === 'configMap' ? 'ConfigMap' : 'Secret';
    throw new ApiError('Invalid', `couldn't find key ${ref.key} in ${what} ${namespace}/${name}`, {
      name,
      kind: what,
    });
  }
  return value;
}

/** Upstream's message for a missing source, as its ConfigMap and Secret managers word it. */
function missing(kind: 'configMap' | 'secret', name: string): ApiError {
  const noun = kind === 'configMap' ? 'configmap' : 'secret';
  return new ApiError('Invalid', `${noun} "${name}" not found`, { name, kind: noun });
}

/** A Secret's data decoded from base64; `undefined` for a missing Secret. */
function secretData(secret: corev1.Secret | undefined): Record<string, string> | undefined {
  if (secret === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

const envVarNameRe = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Upstream's `IsEnvVarName`, the rule `envFrom` keys are checked with. */
function isEnvVarName(name: string): boolean {
  return envVarNameRe.test(name) && name !== '.' && !name.startsWith('..');
}

/** Fetches each ConfigMap and Secret once per container, as upstream's per-call maps do. */
class Lookups {
  private readonly configMaps = new Map<string, Promise<corev1.ConfigMap | undefined>>();
  private readonly secrets = new Map<string, Promise<corev1.Secret | undefined>>();

  constructor(
    private readonly sources: EnvSources,
    private readonly namespace: string,
  ) {}

  configMap(name: string): Promise<corev1.ConfigMap | undefined> {
    let found = this.configMaps.get(name);
    if (found === undefined) {
      found = guard(this.sources.getConfigMap(this.namespace, name));
      this.configMaps.set(name, found);
    }
    return found;
  }

  secret(name: string): Promise<corev1.Secret | undefined> {
    let found = this.secrets.get(name);
    if (found === undefined) {
      found = guard(this.sources.getSecret(this.namespace, name));
      this.secrets.set(name, found);
    }
    return found;
  }
}

/**
 * Keeps errors typed: `NotFound` from a source means absent, and a failure other than an ApiError
 * becomes `Unavailable`.
 */
async function guard<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (ApiError.is(err, 'NotFound')) return undefined;
    if (ApiError.is(err)) throw err;
    throw new ApiError('Unavailable', err instanceof Error ? err.message : String(err), {}, { cause: err });
  }
}
