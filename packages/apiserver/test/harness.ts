import {
  resources,
  silentLogger,
  type apiextensionsv1,
  type appsv1,
  type corev1,
  type ResourceDefinition,
} from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import { InProcessApiClient, Registry, ResourceRegistry, type RegistryOptions } from '../src/index.js';

/** A registry on a fresh MemoryStore, with an in-process client; `close` releases the store. */
export async function newApiserver(options: RegistryOptions = {}): Promise<{
  store: MemoryStore;
  registry: Registry;
  client: InProcessApiClient;
  close: () => Promise<void>;
}> {
  const store = new MemoryStore();
  const registry = new Registry(store, new ResourceRegistry(), silentLogger, options);
  await registry.start();
  return { store, registry, client: new InProcessApiClient(registry), close: () => store.close() };
}

/** A valid pod in `namespace`. */
export function pod(
  name: string,
  namespace = 'default',
  extra: Partial<corev1.PodSpec> = {},
  labels: Record<string, string> = {},
): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'busybox:1.35' }], ...extra },
  };
}

/** A valid deployment in `namespace`. */
export function deployment(name: string, replicas = 1, namespace = 'default'): appsv1.Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'busybox:1.35' }] },
      },
    },
  };
}

/** A config map in `namespace`. */
export function configMap(
  name: string,
  namespace = 'default',
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): corev1.ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    data,
  };
}

/** Calls `fn` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(
  fn: () => Promise<unknown>,
): Promise<{ code: string; message: string; details: { causes?: { field?: string; message: string }[] } }> {
  try {
    await fn();
  } catch (err) {
    return err as {
      code: string;
      message: string;
      details: { causes?: { field?: string; message: string }[] };
    };
  }
  throw new Error('expected a rejection');
}

export const ConfigMaps: ResourceDefinition<corev1.ConfigMap> = resources.ConfigMaps;
export const Pods: ResourceDefinition<corev1.Pod> = resources.Pods;
export const Deployments: ResourceDefinition<appsv1.Deployment> = resources.Deployments;
export const ReplicaSets: ResourceDefinition<appsv1.ReplicaSet> = resources.ReplicaSets;
export const Namespaces: ResourceDefinition<corev1.Namespace> = resources.Namespaces;
export const Nodes: ResourceDefinition<corev1.Node> = resources.Nodes;
export const CustomResourceDefinitions: ResourceDefinition<apiextensionsv1.CustomResourceDefinition> =
  resources.CustomResourceDefinitions;
