import { inject, injectable, multiInject, optional } from 'inversify';
import type { Subscription } from 'rxjs';

import { token } from '../di/token.js';
import { ApiError } from '../errors/ApiError.js';
import type { Informer, InformerEvent } from '../informer/Informer.js';
import { SharedInformerFactory } from '../informer/SharedInformerFactory.js';
import type { LeaderElector } from '../leaderelection/LeaderElector.js';
import { Logger, silentLogger } from '../log/Logger.js';
import type { KubeObject } from '../meta/KubeObject.js';
import { objectKey } from '../meta/objectKey.js';
import { parseApiVersion } from '../meta/ResourceDefinition.js';
import type { Clock } from '../workqueue/Clock.js';
import { WorkQueue } from '../workqueue/WorkQueue.js';
import { type ControllerOptions, controllerMetadata } from './controller.js';
import { Reconciler, type ReconcileRequest } from './Reconciler.js';

/** Options of a {@link ControllerManager}. */
export interface ControllerManagerOptions {
  /** When set, workers run only while this elector leads; the manager runs and stops it. */
  readonly leaderElector?: Pick<LeaderElector, 'leading$' | 'run' | 'stop'>;
  /** Rate-limited requeue backoff of every controller's queue (client-go: 5 ms → 1000 s). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly clock?: Clock;
}

/** Inversify token for {@link ControllerManagerOptions}. */
export const ControllerManagerOptions = token<ControllerManagerOptions>('core/ControllerManagerOptions');

interface Running {
  readonly meta: ControllerOptions;
  readonly reconciler: Reconciler;
  readonly queue: WorkQueue<ReconcileRequest>;
  readonly log: Logger;
  readonly workers: Promise<void>[];
}

const requestOf = (obj: KubeObject, namespaced: boolean): ReconcileRequest => {
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace;
  return namespaced && ns ? { namespace: ns, name } : { name };
};

/**
 * Runs controllers: for each {@link Reconciler} decorated with `@controller`, it feeds a
 * de-duplicating, rate-limited work queue from shared informers (the `for` resource, the owners of
 * `owns` objects, mapped `watches`) and runs N workers calling `reconcile`. `requeueAfter`,
 * `requeue` and thrown errors requeue; success forgets the backoff. Stops gracefully.
 */
@injectable()
export class ControllerManager {
  private readonly controllers: Running[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly abort = new AbortController();
  private leading = false;
  private leadWaiters: Array<() => void> = [];
  private state: 'new' | 'starting' | 'started' | 'stopped' = 'new';

  constructor(
    @inject(SharedInformerFactory) private readonly informers: SharedInformerFactory,
    @inject(Logger) @optional() private readonly logger: Logger = silentLogger,
    @multiInject(Reconciler) @optional() reconcilers: readonly Reconciler[] = [],
    @inject(ControllerManagerOptions) @optional() private readonly options: ControllerManagerOptions = {},
  ) {
    const names = new Set<string>();
    for (const reconciler of reconcilers) {
      const meta = controllerMetadata(reconciler.constructor);
      if (meta === undefined) {
        throw new ApiError('BadRequest', `${reconciler.constructor.name} is not decorated with @controller`);
      }
      if (names.has(meta.name)) throw new ApiError('BadRequest', `two controllers are named "${meta.name}"`);
      names.add(meta.name);
      this.controllers.push({
        meta,
        reconciler,
        queue: new WorkQueue<ReconcileRequest>({
          key: (r) => objectKey(r),
          ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
          ...(options.maxDelayMs !== undefined ? { maxDelayMs: options.maxDelayMs } : {}),
          ...(options.clock !== undefined ? { clock: options.clock } : {}),
        }),
        log: logger.child({ controller: meta.name }),
        workers: [],
      });
    }
  }

  /** The controllers' names, in registration order. */
  get names(): readonly string[] {
    return this.controllers.map((c) => c.meta.name);
  }

  /** The signal passed to every reconcile; aborts when {@link stop} begins. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Requests a reconcile from outside the informers (e.g. a timer or webhook). */
  enqueue(controllerName: string, request: ReconcileRequest): void {
    const c = this.controllers.find((x) => x.meta.name === controllerName);
    if (c === undefined) throw new ApiError('NotFound', `controller "${controllerName}" not found`);
    c.queue.add(request);
  }

  /** Wires informers to queues, starts informers, waits for their sync, then starts workers. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new ApiError('Conflict', 'controller manager already started');
    this.state = 'starting';
    for (const c of this.controllers) this.wire(c);
    await this.informers.start();
    if (this.abort.signal.aborted) return;
    const elector = this.options.leaderElector;
    if (elector === undefined) {
      this.setLeading(true);
    } else {
      this.subscriptions.push(
        elector.leading$.subscribe((l) => {
          this.setLeading(l);
        }),
      );
      void elector.run();
    }
    for (const c of this.controllers) {
      for (let i = 0; i < Math.max(1, c.meta.workers ?? 1); i++) c.workers.push(this.worker(c));
    }
    this.state = 'started';
    this.logger.info('controllers started', { controllers: this.names });
  }

  /**
   * Stops gracefully: workers take no more work, the reconcile signal aborts, in-flight
   * reconciles are awaited, and the leader elector (if any) is stopped. Informers belong to the
   * shared factory and keep running.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    for (const c of this.controllers) c.queue.shutDown();
    this.abort.abort(new ApiError('Unavailable', 'controller manager is stopping'));
    this.setLeading(false);
    for (const w of this.leadWaiters.splice(0)) w();
    await Promise.all(this.controllers.flatMap((c) => c.workers));
    await this.options.leaderElector?.stop();
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    if (leading) for (const w of this.leadWaiters.splice(0)) w();
  }

  private wire(c: Running): void {
    const { meta, queue } = c;
    const forNamespaced = meta.for.namespaced;
    this.subscribe(this.informers.informerFor(meta.for), (e) => {
      queue.add(requestOf(e.object, forNamespaced));
    });
    const owner = { group: meta.for.group, kind: meta.for.kind };
    for (const owned of meta.owns ?? []) {
      this.subscribe(this.informers.informerFor(owned), (e) => {
        const objs = e.type === 'updated' ? [e.object, e.old] : [e.object];
        for (const obj of objs) {
          const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
          if (
            ref === undefined ||
            ref.kind !== owner.kind ||
            parseApiVersion(ref.apiVersion).group !== owner.group
          )
            continue;
          const ns = obj.metadata?.namespace;
          queue.add(forNamespaced && ns ? { namespace: ns, name: ref.name } : { name: ref.name });
        }
      });
    }
    for (const w of meta.watches ?? []) {
      this.subscribe(this.informers.informerFor(w.resource, w.scope ?? {}), (e) => {
        let requests: readonly ReconcileRequest[] = [];
        try {
          requests = w.map(e.object);
        } catch (err) {
          c.log.error('watch map function failed', { error: String(err), resource: w.resource.plural });
        }
        for (const r of requests) queue.add(r);
      });
    }
  }

  private subscribe(informer: Informer<KubeObject>, handle: (e: InformerEvent<KubeObject>) => void): void {
    this.subscriptions.push(informer.events.subscribe(handle));
  }

  private async waitForLead(): Promise<void> {
    while (!this.leading && !this.abort.signal.aborted) {
      await new Promise<void>((resolve) => this.leadWaiters.push(resolve));
    }
  }

  private async worker(c: Running): Promise<void> {
    for (;;) {
      await this.waitForLead();
      const request = await c.queue.get();
      if (request === undefined) return;
      if (!this.leading) {
        // Leadership was lost while waiting: hand the request back for the next leader term.
        c.queue.done(request);
        c.queue.add(request);
        continue;
      }
      await this.reconcileOne(c, request);
    }
  }

  private async reconcileOne(c: Running, request: ReconcileRequest): Promise<void> {
    const { queue } = c;
    try {
      const result = await c.reconciler.reconcile(request, this.abort.signal);
      if (result?.requeueAfter !== undefined && result.requeueAfter > 0) {
        queue.forget(request);
        queue.addAfter(request, result.requeueAfter);
      } else if (result?.requeue === true) {
        queue.addRateLimited(request);
      } else {
        queue.forget(request);
      }
    } catch (err) {
      const fields = {
        request: objectKey(request),
        error: String(err),
        requeues: queue.numRequeues(request),
      };
      if (ApiError.is(err, 'Conflict')) c.log.debug('reconcile conflict, requeueing', fields);
      else c.log.error('reconcile failed', fields);
      queue.addRateLimited(request);
    } finally {
      queue.done(request);
    }
  }
}
