import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  ClusterSecurity,
  InProcessApiClient,
  NodeRestriction,
  Registry,
  ServiceAllocator,
  apiserverModule,
  buildKubeconfig,
  ensureKubernetesService,
  startApiServer,
} from '@tugboat/apiserver';
import { controllersModule } from '@tugboat/controllers';
import {
  ApiError,
  ControllerManager,
  Logger,
  SharedInformerFactory,
  controllerRuntimeModule,
  silentLogger,
} from '@tugboat/core';
import { Scheduler, schedulerModule } from '@tugboat/scheduler-default';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container, type ContainerModule } from 'inversify';

import { startSimulatedNode } from './internal/startSimulatedNode.js';
import { testPki } from './testPki.js';
import type { TestCluster, TestClusterOptions, TestNode } from './TestClusterOptions.js';

/**
 * Starts a real cluster in this process for an integration test: store-memory, the registry with
 * NodeRestriction admission and Service allocation, and the HTTPS API server on a free port of
 * 127.0.0.1 with the full security of `tug up` (client certificates, ServiceAccount tokens, Node
 * and RBAC authorization). Controllers, the scheduler and simulated nodes are opt-in. The PKI is
 * shared by every cluster on the machine (see `testPki`), so after the first cluster a bare one is
 * ready in tens of milliseconds; any number can run side by side. Bad options are a `BadRequest`
 * ApiError raised before anything starts; a failure while starting stops what was started.
 */
export async function createTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const extra = validate(options);
  const logger = options.logger ?? silentLogger;
  const pki = await testPki();
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-test-cluster-'));
  const stops: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const fn of stops.splice(0).reverse()) await fn().catch(() => undefined);
    })();
    return stopping;
  };
  try {
    const container = new Container();
    container.bind(Logger).toConstantValue(logger);
    container.load(memoryStoreModule(), apiserverModule({ admissionPlugins: [new NodeRestriction()] }));
    // Unbinding closes the store and whatever the container made; it runs last.
    stops.push(() => container.unbindAllAsync());
    const registry = container.get(Registry);
    await registry.start();
    stops.push(() => {
      registry.close();
      return Promise.resolve();
    });
    const security = await ClusterSecurity.start({ registry, pki, logger });
    stops.push(() => security.stop());
    const server = await startApiServer({
      registry,
      host: '127.0.0.1',
      port: 0,
      ...security.serverOptions(),
      logger,
    });
    stops.push(() => server.close());
    const client = container.get(InProcessApiClient);
    await ensureKubernetesService(client, {
      clusterIp: container.get(ServiceAllocator).kubernetesServiceIp,
      apiserverAddress: '127.0.0.1',
      apiserverPort: server.port,
    });
    const kubeconfig = buildKubeconfig({ server: server.url, caPem: pki.ca.certPem, credentials: pki.admin });
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

    if (extra.length > 0) {
      container.load(controllerRuntimeModule(), ...extra);
      // The scheduler and the controllers share the informers, which stop after both.
      stops.push(() => container.get(SharedInformerFactory).stop());
    }
    if (options.scheduler === true) {
      const scheduler = container.get(Scheduler);
      await scheduler.start();
      stops.push(() => scheduler.stop());
    }
    if (options.controllers !== undefined && options.controllers !== false) {
      const manager = container.get(ControllerManager);
      await manager.start();
      stops.push(() => manager.stop());
    }
    const nodes: TestNode[] = [];
    const names = Array.from({ length: options.nodes ?? 0 }, (_, i) => `node-${i + 1}`);
    const started = await Promise.allSettled(
      names.map((name) =>
        startSimulatedNode({
          name,
          client,
          rootDir: join(dir, 'nodes', name),
          logger,
          ...(options.nodeCapacity !== undefined ? { capacity: options.nodeCapacity } : {}),
          ...(options.runtime !== undefined ? { runtime: options.runtime(name) } : {}),
        }),
      ),
    );
    for (const result of started) {
      if (result.status === 'fulfilled') {
        nodes.push(result.value);
        stops.push(() => result.value.kubelet.stop().finally(() => result.value.runtime.close()));
      }
    }
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;

    return {
      url: server.url,
      kubeconfig,
      kubeconfigPath,
      caPem: pki.ca.certPem,
      client,
      nodes,
      container,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Checks the options and builds the opt-in modules, so bad input fails before anything starts. */
function validate(options: TestClusterOptions): ContainerModule[] {
  const nodes = options.nodes ?? 0;
  if (!Number.isInteger(nodes) || nodes < 0)
    throw new ApiError(
      'BadRequest',
      `createTestCluster: nodes must be a whole number ≥ 0, got ${String(nodes)}`,
    );
  const modules: ContainerModule[] = [];
  const wanted = options.controllers;
  if (wanted !== undefined && wanted !== false) {
    if (wanted !== true && !Array.isArray(wanted))
      throw new ApiError(
        'BadRequest',
        'createTestCluster: controllers must be true, false or a list of names',
      );
    // controllersModule rejects an unknown name with a BadRequest naming it.
    modules.push(controllersModule(wanted === true ? {} : { controllers: wanted }));
  }
  if (options.runtime !== undefined && typeof options.runtime !== 'function')
    throw new ApiError('BadRequest', 'createTestCluster: runtime must be a function of the node name');
  if (options.scheduler === true) modules.push(schedulerModule());
  return modules;
}
