import { afterEach, describe, expect, it } from '@jest/globals';
import { Container } from 'inversify';
import { BehaviorSubject } from 'rxjs';

import {
  ApiClient,
  ApiError,
  ControllerManager,
  ControllerManagerOptions,
  Logger,
  Reconciler,
  SharedInformerFactory,
  controller,
  controllerMetadata,
  controllerRuntimeModule,
  ownerReferenceTo,
  resources,
  silentLogger,
  type ReconcileRequest,
  type ReconcileResult,
  type appsv1,
  type corev1,
} from '../src/index.js';
import { FakeApiClient } from './support/FakeApiClient.js';
import { FakeClock } from './support/FakeClock.js';
import { until } from './support/until.js';

type Handler = (req: ReconcileRequest, signal: AbortSignal) => Promise<ReconcileResult | undefined>;

@controller({ name: 'replicasets', for: resources.ReplicaSets, owns: [resources.Pods], workers: 2 })
class RsController implements Reconciler {
  readonly seen: string[] = [];
  handler: Handler = async () => undefined;
  async reconcile(req: ReconcileRequest, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    this.seen.push(`${req.namespace ?? ''}/${req.name}`);
    return this.handler(req, signal);
  }
}

@controller({
  name: 'node-watcher',
  for: resources.Nodes,
  watches: [
    {
      resource: resources.Pods,
      map: (p: corev1.Pod) => (p.spec?.nodeName ? [{ name: p.spec.nodeName }] : []),
    },
  ],
})
class NodeController implements Reconciler {
  readonly seen: string[] = [];
  async reconcile(req: ReconcileRequest): Promise<void> {
    this.seen.push(req.name);
  }
}

class Undecorated implements Reconciler {
  async reconcile(): Promise<void> {}
}

const rs = (name: string): appsv1.ReplicaSet => ({
  metadata: { name, namespace: 'ns' },
  spec: { selector: {} },
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(
  reconcilers: Reconciler[],
  options: ControllerManagerOptions = {},
): { client: FakeApiClient; manager: ControllerManager } {
  const client = new FakeApiClient();
  const factory = new SharedInformerFactory(client, silentLogger);
  const manager = new ControllerManager(factory, silentLogger, reconcilers, options);
  cleanups.push(
    () => factory.stop(),
    () => manager.stop(),
  );
  return { client, manager };
}

describe('@controller', () => {
  it('stores its options as metadata on the class', () => {
    expect(controllerMetadata(RsController)).toMatchObject({
      name: 'replicasets',
      workers: 2,
      for: resources.ReplicaSets,
    });
    expect(controllerMetadata(Undecorated)).toBeUndefined();
  });

  it('is required by the manager, and names must be unique', () => {
    expect(() => setup([new Undecorated()])).toThrow(/not decorated with @controller/);
    expect(() => setup([new RsController(), new RsController()])).toThrow(ApiError);
  });
});

describe('ControllerManager', () => {
  it('reconciles objects of the for resource, existing and new', async () => {
    const r = new RsController();
    const { client, manager } = setup([r]);
    await client.create(resources.ReplicaSets, rs('a'));
    await manager.start();
    await until(() => r.seen.includes('ns/a'), 'existing object');
    await client.create(resources.ReplicaSets, rs('b'));
    await until(() => r.seen.includes('ns/b'), 'new object');
  });

  it('maps owned objects to their controller owner of the right kind', async () => {
    const r = new RsController();
    const { client, manager } = setup([r]);
    const owner = await client.create(resources.ReplicaSets, rs('web'));
    await manager.start();
    await until(() => r.seen.length === 1, 'initial reconcile');
    r.seen.length = 0;
    const ctl = ownerReferenceTo(owner, resources.ReplicaSets, { controller: true });
    const notController = { ...ctl, name: 'other', controller: false };
    const otherKind = {
      ...ownerReferenceTo(owner, resources.Deployments, { controller: true }),
      name: 'dep',
    };
    await client.create(resources.Pods, {
      metadata: { name: 'p1', namespace: 'ns', ownerReferences: [notController] },
    });
    await client.create(resources.Pods, {
      metadata: { name: 'p2', namespace: 'ns', ownerReferences: [otherKind] },
    });
    await client.create(resources.Pods, {
      metadata: { name: 'p3', namespace: 'ns', ownerReferences: [ctl] },
    });
    await until(() => r.seen.length >= 1, 'owner reconcile');
    await client.delete(resources.ReplicaSets, 'web', { namespace: 'ns' });
    await until(() => r.seen.length >= 2, 'deletion reconcile');
    expect(new Set(r.seen)).toEqual(new Set(['ns/web']));
  });

  it('maps watched objects with the map function', async () => {
    const r = new NodeController();
    const { client, manager } = setup([r]);
    await manager.start();
    await client.create(resources.Pods, {
      metadata: { name: 'p', namespace: 'ns' },
      spec: { containers: [], nodeName: 'n7' },
    });
    await until(() => r.seen.includes('n7'), 'mapped request');
  });

  it('requeues after requeueAfter, with backoff on requeue and errors, and forgets on success', async () => {
    const clock = new FakeClock();
    const r = new RsController();
    const { client, manager } = setup([r], { clock, baseDelayMs: 10, maxDelayMs: 1000 });
    const script: Array<() => ReconcileResult | undefined> = [
      () => {
        throw new ApiError('Internal', 'boom');
      },
      () => {
        throw new Error('raw');
      },
      () => ({ requeue: true }),
      () => ({ requeueAfter: 5000 }),
      () => undefined,
    ];
    r.handler = async () => script.shift()?.();
    await client.create(resources.ReplicaSets, rs('x'));
    await manager.start();
    await until(() => r.seen.length === 1 && clock.pending === 1, 'first failure');
    expect(clock.pendingDelays()).toEqual([10]);
    await clock.advance(10);
    await until(() => r.seen.length === 2 && clock.pending === 1, 'second failure');
    expect(clock.pendingDelays()).toEqual([20]);
    await clock.advance(20);
    await until(() => r.seen.length === 3 && clock.pending === 1, 'requeue');
    expect(clock.pendingDelays()).toEqual([40]);
    await clock.advance(40);
    await until(() => r.seen.length === 4 && clock.pending === 1, 'requeueAfter');
    expect(clock.pendingDelays()).toEqual([5000]);
    await clock.advance(5000);
    await until(() => r.seen.length === 5 && script.length === 0, 'success');
    expect(clock.pending).toBe(0);
    // Backoff was forgotten: a new failure starts again at the base delay.
    r.handler = async () => ({ requeue: true });
    manager.enqueue('replicasets', { namespace: 'ns', name: 'x' });
    await until(() => r.seen.length === 6 && clock.pending === 1, 'fresh backoff');
    expect(clock.pendingDelays()).toEqual([10]);
  });

  it('runs workers concurrently but never one object twice at once', async () => {
    const r = new RsController();
    const { client, manager } = setup([r]);
    let active = 0;
    let maxActive = 0;
    const inFlight = new Set<string>();
    let overlap = false;
    const release: Array<() => void> = [];
    r.handler = async (req) => {
      const key = req.name;
      if (inFlight.has(key)) overlap = true;
      inFlight.add(key);
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((resolve) => release.push(resolve));
      active--;
      inFlight.delete(key);
      return undefined;
    };
    await client.create(resources.ReplicaSets, rs('a'));
    await client.create(resources.ReplicaSets, rs('b'));
    await manager.start();
    await until(() => release.length === 2, 'two concurrent reconciles');
    manager.enqueue('replicasets', { namespace: 'ns', name: 'a' });
    manager.enqueue('replicasets', { namespace: 'ns', name: 'a' });
    for (const f of release.splice(0)) f();
    await until(() => release.length === 1, 'a again');
    release.splice(0)[0]?.();
    await until(() => r.seen.length === 3 && active === 0, 'all done');
    expect(maxActive).toBe(2);
    expect(overlap).toBe(false);
  });

  it('stops gracefully: aborts the signal, waits for in-flight work, takes no more', async () => {
    const r = new RsController();
    const { client, manager } = setup([r]);
    let finish: () => void = () => undefined;
    let sawAbort = false;
    r.handler = (_req, signal) =>
      new Promise<undefined>((resolve) => {
        signal.addEventListener('abort', () => (sawAbort = true));
        finish = () => {
          resolve(undefined);
        };
      });
    await client.create(resources.ReplicaSets, rs('slow'));
    await manager.start();
    await until(() => r.seen.length === 1, 'in flight');
    let stopped = false;
    const stopping = manager.stop().then(() => (stopped = true));
    await until(() => sawAbort, 'abort');
    expect(stopped).toBe(false);
    finish();
    await stopping;
    manager.enqueue('replicasets', { namespace: 'ns', name: 'later' });
    await client.create(resources.ReplicaSets, rs('later'));
    expect(r.seen).toEqual(['ns/slow']);
  });

  it('runs workers only while the leader elector leads', async () => {
    const r = new RsController();
    const leading$ = new BehaviorSubject(false);
    let ran = false;
    let stoppedElector = false;
    const elector = {
      leading$,
      run: async () => void (ran = true),
      stop: async () => void (stoppedElector = true),
    };
    const { client, manager } = setup([r], { leaderElector: elector });
    await client.create(resources.ReplicaSets, rs('a'));
    await manager.start();
    expect(ran).toBe(true);
    await client.create(resources.ReplicaSets, rs('b'));
    await until(() => client.activeWatches >= 2, 'informers running');
    expect(r.seen).toEqual([]);
    leading$.next(true);
    await until(() => r.seen.length === 2, 'reconciles once leading');
    await manager.stop();
    expect(stoppedElector).toBe(true);
  });

  it('is composed with inversify from bound controllers', async () => {
    const container = new Container();
    const client = new FakeApiClient();
    container.bind(ApiClient).toConstantValue(client);
    container.bind(Logger).toConstantValue(silentLogger);
    container.load(controllerRuntimeModule());
    const r = new NodeController();
    container.bind(Reconciler).toConstantValue(r);
    const manager = container.get(ControllerManager);
    expect(container.get(SharedInformerFactory)).toBe(container.get(SharedInformerFactory));
    cleanups.push(
      () => container.get(SharedInformerFactory).stop(),
      () => manager.stop(),
    );
    expect(manager.names).toEqual(['node-watcher']);
    await client.create(resources.Nodes, { metadata: { name: 'n1' } });
    await manager.start();
    await until(() => r.seen.includes('n1'), 'reconcile via DI');
  });
});
