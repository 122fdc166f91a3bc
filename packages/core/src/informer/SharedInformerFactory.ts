import { inject, injectable, optional } from 'inversify';

import { ApiClient, type ResourceRef } from '../api/ApiClient.js';
import { token } from '../di/token.js';
import { Logger, silentLogger } from '../log/Logger.js';
import type { KubeObject } from '../meta/KubeObject.js';
import type { Informer } from './Informer.js';
import { type InformerScope, ListWatchInformer, type ListWatchOptions } from './ListWatchInformer.js';

/** Options of a {@link SharedInformerFactory}: the list/watch tuning every informer it makes uses. */
export type SharedInformerFactoryOptions = ListWatchOptions;

/** Inversify token for {@link SharedInformerFactoryOptions}. */
export const SharedInformerFactoryOptions = token<SharedInformerFactoryOptions>(
  'core/SharedInformerFactoryOptions',
);

/**
 * The per-process source of informers: one shared {@link Informer} per resource and scope, so
 * every controller reading pods shares one list + watch and one cache. The class is its own
 * inversify service identifier; bind it in singleton scope.
 */
@injectable()
export class SharedInformerFactory {
  private readonly informers = new Map<string, ListWatchInformer<KubeObject>>();
  private stopped = false;
  private startedOnce = false;

  constructor(
    @inject(ApiClient) private readonly client: ApiClient,
    @inject(Logger) @optional() private readonly logger: Logger = silentLogger,
    @inject(SharedInformerFactoryOptions)
    @optional()
    private readonly options: SharedInformerFactoryOptions = {},
  ) {}

  /** The shared informer for `def` in `scope`, created on first request (not started). */
  informerFor<T extends KubeObject>(def: ResourceRef<T>, scope: InformerScope = {}): Informer<T> {
    const key = [
      def.group,
      def.version,
      def.plural,
      scope.namespace ?? '',
      scope.labelSelector ?? '',
      scope.fieldSelector ?? '',
    ].join('|');
    let informer = this.informers.get(key);
    if (informer === undefined) {
      const ref: ResourceRef<T> = {
        group: def.group,
        version: def.version,
        plural: def.plural,
        kind: def.kind,
        namespaced: def.namespaced,
      };
      informer = new ListWatchInformer<T>(
        this.client,
        ref,
        this.logger,
        scope,
        this.options,
      ) as unknown as ListWatchInformer<KubeObject>;
      this.informers.set(key, informer);
      // Informers asked for after start() begin at once, as client-go's factory does on Start.
      if (this.startedOnce && !this.stopped) void informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer made so far (and later ones) and resolves once all have synced. */
  async start(): Promise<void> {
    this.startedOnce = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
