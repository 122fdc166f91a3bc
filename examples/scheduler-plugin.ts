/**
 * An out-of-tree scheduler plugin, registered into the default profile in one line: nodes
 * annotated `example.com/maintenance: "true"` take no new pods, and nodes labelled
 * `example.com/tier: fast` are preferred. Run it: `pnpm exec tsx examples/scheduler-plugin.ts`.
 */
import { apiserverModule } from '@tugboat/apiserver';
import {
  ApiClient,
  Logger,
  controllerRuntimeModule,
  resources,
  silentLogger,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type PluginStatus,
  type ScorePlugin,
  type corev1,
} from '@tugboat/core';
import { Scheduler, schedulerModule, statusOf, success } from '@tugboat/scheduler-default';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

// ---- user code starts here ----
const inMaintenance = statusOf('UnschedulableAndUnresolvable', 'node(s) were in maintenance');

/** Keeps new pods off nodes in maintenance and prefers the fast tier. */
export class Maintenance implements FilterPlugin, ScorePlugin {
  readonly name = 'Maintenance';

  filter(_state: CycleState, _pod: corev1.Pod, node: NodeInfo): PluginStatus {
    return node.node.metadata?.annotations?.['example.com/maintenance'] === 'true' ? inMaintenance : success;
  }

  score(_state: CycleState, _pod: corev1.Pod, node: NodeInfo): number {
    return node.node.metadata?.labels?.['example.com/tier'] === 'fast' ? 100 : 0;
  }
}

export async function startCluster(logger: Logger = silentLogger) {
  const container = new Container();
  container.bind(Logger).toConstantValue(logger);
  container.load(
    memoryStoreModule(),
    apiserverModule(),
    controllerRuntimeModule(),
    // The one line: register the plugin and enable it (score weight 5) in the default profile.
    schedulerModule({
      outOfTreeRegistry: { Maintenance: () => new Maintenance() },
      profiles: [
        { schedulerName: 'default-scheduler', plugins: { enabled: [{ name: 'Maintenance', weight: 5 }] } },
      ],
    }),
  );
  await container.get(Scheduler).start();
  return { api: container.get(ApiClient), stop: () => container.unbindAllAsync() };
}
// ---- user code ends here ----

/** A node as a kubelet would register it. */
export function exampleNode(
  name: string,
  meta: { annotations?: Record<string, string>; labels?: Record<string, string> } = {},
): corev1.Node {
  return {
    metadata: { name, ...meta },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } },
  };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { api, stop } = await startCluster();
  await api.create(
    resources.Nodes,
    exampleNode('a', {
      annotations: { 'example.com/maintenance': 'true' },
      labels: { 'example.com/tier': 'fast' },
    }),
  );
  await api.create(resources.Nodes, exampleNode('b'));
  await api.create(resources.Nodes, exampleNode('c', { labels: { 'example.com/tier': 'fast' } }));
  await api.create(resources.Pods, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'web', image: 'nginx' }] },
  });
  for (;;) {
    const pod = await api.get(resources.Pods, 'web', { namespace: 'default' });
    if (pod.spec?.nodeName) {
      console.log(`web → ${pod.spec.nodeName}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
}
