import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { Registry, apiserverModule } from '@tugboat/apiserver';
import { ApiClient, Logger, Store, type Logger as LoggerType } from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Where the store persists its state (default `.tug`). */
  readonly dataDir: string;
  readonly logger: LoggerType;
}

/** A running in-process control plane. */
export interface ControlPlane {
  readonly container: Container;
  readonly client: ApiClient;
  /** Stops every component and flushes the store. */
  stop(): Promise<void>;
}

/**
 * Starts the in-process control plane: store-memory persisted under `dataDir/store` and the
 * registry behind the API server, reachable through the in-process `ApiClient`.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const storeDir = join(options.dataDir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const container = new Container();
  container.bind(Logger).toConstantValue(options.logger);
  await container.load(memoryStoreModule({ dataDir: storeDir, logger: options.logger }), apiserverModule());
  await container.get(Registry).start();
  return {
    container,
    client: container.get(ApiClient),
    stop: async () => {
      await container.get(Store).close();
    },
  };
}
