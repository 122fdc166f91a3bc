/**
 * An orchestrator composed in code: a store, the API server's registry, two controllers, the
 * scheduler and one node agent on the simulated runtime, all in one inversify container — then an
 * HTTP front on loopback for kubectl. Swap any piece (store-etcd for the store, runtime-containerd
 * for the runtime, your own controller) by changing one line.
 * Run it: `pnpm exec tsx examples/compose-orchestrator.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  InProcessApiClient,
  NodeRestriction,
  Registry,
  apiserverModule,
  nodesGroup,
  startApiServer,
  type RunningApiServer,
} from '@tugboat/apiserver';
import { controllersModule } from '@tugboat/controllers';
import {
  ApiClient,
  ControllerManager,
  Logger,
  SharedInformerFactory,
  controllerRuntimeModule,
  resources,
  silentLogger,
} from '@tugboat/core';
import { Kubelet } from '@tugboat/kubelet';
import { FakeRuntime } from '@tugboat/runtime-fake';
import { Scheduler, schedulerModule } from '@tugboat/scheduler-default';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

// ---- user code starts here ----
/** A running orchestrator. */
export interface Orchestrator {
  readonly api: ApiClient;
  /** The plain-HTTP front on 127.0.0.1 (no authentication: everyone is admin; keep it on loopback). */
  readonly server: RunningApiServer;
  stop(): Promise<void>;
}

export async function startOrchestrator(logger: Logger = silentLogger): Promise<Orchestrator> {
  const container = new Container();
  container.bind(Logger).toConstantValue(logger);
  container.load(
    memoryStoreModule(), //                                   the Store
    apiserverModule({ admissionPlugins: [new NodeRestriction()] }), // registry + in-process ApiClient
    controllerRuntimeModule(), //                             informers, work queues, ControllerManager
    controllersModule({ controllers: ['deployment', 'replicaset', 'garbagecollector'] }),
    schedulerModule(),
  );
  await container.get(Scheduler).start();
  await container.get(ControllerManager).start();

  // A node agent acts as its Node through the API, never on the store.
  const rootDir = await mkdtemp(join(tmpdir(), 'tugboat-example-node-'));
  const runtime = new FakeRuntime();
  const kubelet = new Kubelet({
    nodeName: 'worker-1',
    client: container.get(InProcessApiClient).as({ name: 'system:node:worker-1', groups: [nodesGroup] }),
    runtime,
    rootDir,
    logger,
    capacity: { cpu: '8', memory: '16Gi', pods: '110' },
  });
  await kubelet.start();

  const server = await startApiServer({
    registry: container.get(Registry),
    host: '127.0.0.1',
    port: 0,
    logger,
  });
  return {
    api: container.get(ApiClient),
    server,
    stop: async () => {
      try {
        await server.close();
        await kubelet.stop();
        await runtime.close();
        await container.get(ControllerManager).stop();
        await container.get(Scheduler).stop();
        await container.get(SharedInformerFactory).stop();
        await container.unbindAllAsync(); // closes the store
      } finally {
        await rm(rootDir, { recursive: true, force: true });
      }
    },
  };
}
// ---- user code ends here ----

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const orchestrator = await startOrchestrator();
  const { api, server } = orchestrator;
  await api.create(resources.Deployments, {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'busybox', command: ['httpd', '-f'] }] },
      },
    },
  });
  console.log(`API on ${server.url}: try  kubectl --server ${server.url} get pods -w   (Ctrl-C stops)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void orchestrator.stop().finally(() => process.exit(0)));
}
