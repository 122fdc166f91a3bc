import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { InProcessApiClient, nodesGroup } from '@tugboat/apiserver';
import { controllersModule } from '@tugboat/controllers';
import {
  ApiError,
  ControllerManager,
  SharedInformerFactory,
  controllerRuntimeModule,
  type Runtime,
} from '@tugboat/core';
import { Kubelet } from '@tugboat/kubelet';
import { Scheduler, schedulerModule } from '@tugboat/scheduler-default';

import type { RuntimeChoice } from './runtimeChoice.js';
import { selectRuntime } from './selectRuntime.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './startControlPlane.js';

/** Options of {@link startCluster}: the control plane's, and the node's. */
export interface ClusterOptions extends ControlPlaneOptions {
  /** The node's container runtime (`auto`: containerd, then Docker, then the simulation). */
  readonly runtime: RuntimeChoice;
  readonly containerdSocket?: string;
  readonly dockerSocket?: string;
  /** The node's name (a DNS subdomain). */
  readonly nodeName: string;
  /** HTTPS port of the kubelet (0 picks a free one). */
  readonly kubeletPort: number;
}

/** A running single-node cluster. */
export interface Cluster {
  readonly plane: ControlPlane;
  readonly kubelet: Kubelet;
  /** The API server's URL. */
  readonly url: string;
  /** The admin kubeconfig. */
  readonly kubeconfigPath: string;
  /** Stops the kubelet, the controllers, the scheduler, the API server and the store, in that order. */
  stop(): Promise<void>;
}

/**
 * Starts a single-node cluster in this process, as `tug up` does: picks the node's runtime (an
 * explicit one that does not answer fails before anything starts), then the control plane (store,
 * API server), the scheduler, the controllers and one kubelet with a serving certificate from the
 * cluster CA, acting as `system:node:<name>`. Resolves once the node is registered. On failure
 * everything already started is stopped again.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const say = options.progress ?? ((): void => undefined);
  const { logger, nodeName } = options;
  const selected = await selectRuntime({
    choice: options.runtime,
    ...(options.containerdSocket !== undefined ? { containerdSocket: options.containerdSocket } : {}),
    ...(options.dockerSocket !== undefined ? { dockerSocket: options.dockerSocket } : {}),
    logger,
  });
  say(`runtime: ${selected.description}`);
  const stops: { readonly what: string; readonly stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { what, stop } of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => {
        logger.warn(`stopping ${what} failed`, { error: err instanceof Error ? err.message : String(err) });
      });
    }
  };
  stops.push({ what: 'runtime client', stop: () => selected.runtime.close() });
  try {
    const plane = await startControlPlane(options);
    stops.push({ what: 'control plane', stop: () => plane.stop() });
    const { container } = plane;
    container.load(controllerRuntimeModule(), schedulerModule(), controllersModule());
    // The scheduler and the controllers share the informers; they stop after both.
    stops.push({ what: 'informers', stop: () => container.get(SharedInformerFactory).stop() });
    const scheduler = container.get(Scheduler);
    await scheduler.start();
    stops.push({ what: 'scheduler', stop: () => scheduler.stop() });
    say('scheduler: started');
    const manager = container.get(ControllerManager);
    await manager.start();
    stops.push({ what: 'controllers', stop: () => manager.stop() });
    say('controllers: started');
    const kubelet = await startKubelet(plane, options, selected.runtime);
    stops.push({ what: 'kubelet', stop: () => kubelet.stop() });
    say(`kubelet: node ${nodeName} registered (https://127.0.0.1:${kubelet.serverPort})`);
    return { plane, kubelet, url: plane.url, kubeconfigPath: plane.kubeconfigPath, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startKubelet(
  plane: ControlPlane,
  options: ClusterOptions,
  runtime: Runtime,
): Promise<Kubelet> {
  const { nodeName, logger } = options;
  const rootDir = join(options.dataDir, 'kubelet');
  mkdirSync(rootDir, { recursive: true, mode: 0o700 });
  const serving = await plane.pki.kubeletServing(nodeName, ['127.0.0.1', 'localhost', nodeName, hostname()]);
  // The kubelet acts as its node, so NodeRestriction holds it to its own Node, Lease and pods.
  const client = plane.container
    .get(InProcessApiClient)
    .as({ name: `system:node:${nodeName}`, groups: [nodesGroup, 'system:authenticated'] });
  const kubelet = new Kubelet({
    nodeName,
    client,
    runtime,
    rootDir,
    logger,
    address: '127.0.0.1',
    server: {
      host: '127.0.0.1',
      port: options.kubeletPort,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: plane.pki.ca.certPem },
    },
  });
  try {
    await kubelet.start();
  } catch (err) {
    await kubelet.stop().catch(() => undefined);
    throw kubeletStartError(err, options.kubeletPort);
  }
  return kubelet;
}

function kubeletStartError(err: unknown, port: number): unknown {
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  const codes = [err, cause].map((e) =>
    e instanceof Error ? `${e.message} ${String((e as { code?: unknown }).code)}` : '',
  );
  if (codes.some((text) => text.includes('EADDRINUSE'))) {
    return new ApiError(
      'Unavailable',
      `the kubelet's port ${port} on 127.0.0.1 is already in use: stop the process listening there (another tug up?), or pass --kubelet-port with a free port (0 picks one)`,
    );
  }
  return err;
}
