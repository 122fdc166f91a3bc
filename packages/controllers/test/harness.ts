import { apiserverModule } from '@tugboat/apiserver';
import {
  ApiClient,
  ControllerManager,
  controllerRuntimeModule,
  Logger,
  resources,
  silentLogger,
  type corev1,
} from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { until as untilShared } from '@tugboat/testing';
import { Container } from 'inversify';
import type { Subscription } from 'rxjs';

import { controllersModule, type ControllerName, type ControllersOptions } from '../src/index.js';

/** The shared {@link untilShared} with this harness's argument order (deadline before description). */
export function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  return untilShared(probe, what, timeoutMs);
}

/** An in-process cluster: memory store, registry, controller runtime and the chosen controllers. */
export interface TestCluster {
  readonly api: ApiClient;
  readonly container: Container;
  /** Marks pods Running and Ready as a node agent would (for pods `ready` accepts) and confirms graceful deletions. */
  startFakeKubelet(ready?: (pod: corev1.Pod) => boolean): void;
  stop(): Promise<void>;
}

export async function startCluster(
  controllers?: readonly ControllerName[],
  options: Omit<ControllersOptions, 'controllers'> = {},
): Promise<TestCluster> {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(
    memoryStoreModule(),
    apiserverModule(),
    controllerRuntimeModule({ manager: { baseDelayMs: 5, maxDelayMs: 500 } }),
    controllersModule({ ...options, ...(controllers ? { controllers } : {}) }),
  );
  const api = container.get<ApiClient>(ApiClient);
  await container.get(ControllerManager).start();
  const subs: Subscription[] = [];
  return {
    api,
    container,
    startFakeKubelet(ready = () => true) {
      subs.push(
        api.watch(resources.Pods, {}).subscribe({
          next: (e) => {
            if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
            const pod = e.object;
            if (pod.metadata?.deletionTimestamp && pod.spec?.nodeName) {
              // The node agent confirms a graceful deletion once its containers have stopped.
              void api
                .delete(resources.Pods, pod.metadata.name ?? '', {
                  namespace: pod.metadata.namespace ?? '',
                  gracePeriodSeconds: 0,
                })
                .catch(() => undefined);
              return;
            }
            if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Running' || !ready(pod)) return;
            const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
            void api
              .updateStatus(resources.Pods, {
                ...pod,
                status: {
                  phase: 'Running',
                  conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
                  podIP: `10.0.0.${Math.floor(Math.random() * 250) + 1}`,
                },
              })
              .catch(() => undefined);
          },
          error: () => undefined,
        }),
      );
    },
    async stop() {
      for (const s of subs) s.unsubscribe();
      await container.unbindAllAsync();
    },
  };
}

/** A minimal pod template with the given labels. */
export function podTemplate(labels: Record<string, string>, image = 'busybox:1'): corev1.PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } };
}
