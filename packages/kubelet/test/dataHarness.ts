import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { apiserverModule, ServiceAccountTokens, systemAdmin, TokenRequestEndpoint } from '@tugboat/apiserver';
import {
  ApiClient,
  ignoreNotFound,
  Logger,
  resources,
  silentLogger,
  type corev1,
  type metav1,
  type ResourceRef,
  type SubresourceOptions,
} from '@tugboat/core';
import { ManualClock } from '@tugboat/runtime-fake';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

import type { EnvSources } from '../src/env/containerEnv.js';
import { VolumeManager } from '../src/volumes/VolumeManager.js';

/** An in-process API with the TokenRequest endpoint, a temp rootDir and a VolumeManager on a manual clock. */
export interface DataHarness {
  readonly api: ApiClient;
  readonly rootDir: string;
  readonly clock: ManualClock;
  readonly volumes: VolumeManager;
  /** EnvSources reading through the API (every Service listed, as an informer cache would). */
  sources(): Promise<EnvSources>;
  /** Creates a pod through the API (so defaults apply) and returns it as stored. */
  createPod(pod: corev1.Pod): Promise<corev1.Pod>;
  stop(): Promise<void>;
}

/**
 * Starts the harness. The in-process client does not serve `serviceaccounts/token` (only the
 * HTTP front does), so the harness routes that subresource to a TokenRequestEndpoint itself.
 */
export async function startDataHarness(nodeAllocatable?: Record<string, string>): Promise<DataHarness> {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(memoryStoreModule(), apiserverModule());
  const inner = container.get<ApiClient>(ApiClient);
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tokens = await ServiceAccountTokens.create({
    privatePem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const endpoint = new TokenRequestEndpoint(tokens, inner);
  const api: ApiClient = Object.create(inner) as ApiClient;
  api.createSubresource = <R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    options?: SubresourceOptions,
  ): Promise<R> => {
    if (resource.plural === 'serviceaccounts' && subresource === 'token') {
      return endpoint.create({
        user: systemAdmin,
        name,
        ...(options?.namespace !== undefined ? { namespace: options.namespace } : {}),
        body: body as Record<string, unknown>,
        query: new URLSearchParams(),
      }) as Promise<R>;
    }
    return inner.createSubresource(resource, name, subresource, body, options);
  };
  const rootDir = await mkdtemp(join(tmpdir(), 'kubelet-data-'));
  const clock = new ManualClock();
  const volumes = new VolumeManager({
    client: api,
    rootDir,
    nodeName: 'node-a',
    clock,
    logger: silentLogger,
    ...(nodeAllocatable !== undefined ? { nodeAllocatable: () => nodeAllocatable } : {}),
  });
  return {
    api,
    rootDir,
    clock,
    volumes,
    async sources() {
      const services = (await api.list(resources.Services)).items;
      return {
        getConfigMap: (namespace, name) =>
          api.get(resources.ConfigMaps, name, { namespace }).catch(ignoreNotFound),
        getSecret: (namespace, name) => api.get(resources.Secrets, name, { namespace }).catch(ignoreNotFound),
        services: () => services,
      };
    },
    createPod: (pod) => api.create(resources.Pods, pod, { namespace: pod.metadata?.namespace ?? 'default' }),
    async stop() {
      await container.unbindAllAsync();
      await rm(rootDir, { recursive: true, force: true });
    },
  };
}

/** A pod with one busybox container, in `default`. */
export function pod(
  name: string,
  spec: Partial<corev1.PodSpec> = {},
  meta: Partial<metav1.ObjectMeta> = {},
): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...meta },
    spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'busybox:1' }], ...spec },
  };
}

/** Decodes a JWT's payload without verifying it. */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
