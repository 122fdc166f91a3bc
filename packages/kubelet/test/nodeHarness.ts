import { InProcessApiClient, NodeRestriction, apiserverModule } from '@tugboat/apiserver';
import { ApiError, Logger, silentLogger, type ApiClient } from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

export { until } from '@tugboat/testing';

/** An ApiClient that can be switched off (every call fails `Unavailable`) and counts calls. */
export interface FlakyClient {
  readonly client: ApiClient;
  /** While true, every call rejects as if the apiserver were unreachable. */
  down: boolean;
  /** Calls made, by method name (`get`, `patch`, …), failed ones included. */
  readonly calls: Map<string, number>;
  /** Calls that failed because the client was down. */
  failed: number;
}

function flaky(inner: ApiClient): FlakyClient {
  const state: FlakyClient = {
    client: undefined as unknown as ApiClient,
    down: false,
    calls: new Map(),
    failed: 0,
  };
  const client = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        state.calls.set(prop, (state.calls.get(prop) ?? 0) + 1);
        if (state.down) {
          state.failed++;
          return Promise.reject(new ApiError('Unavailable', 'connect ECONNREFUSED 127.0.0.1:6443'));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  (state as { client: ApiClient }).client = client;
  return state;
}

/** An in-process apiserver with NodeRestriction admission, and clients acting as admin or a node. */
export interface NodeTestApi {
  /** Acts as `system:admin`. */
  readonly admin: ApiClient;
  /** A client acting as `system:node:<name>` (in `system:nodes`), switchable off. */
  nodeClient(name: string): FlakyClient;
  stop(): Promise<void>;
}

/** Starts a memory store and the registry in this process. */
export function startNodeTestApi(): NodeTestApi {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(memoryStoreModule(), apiserverModule({ admissionPlugins: [new NodeRestriction()] }));
  const inProcess = container.get(InProcessApiClient);
  return {
    admin: inProcess,
    nodeClient: (name) =>
      flaky(inProcess.as({ name: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] })),
    stop: () => container.unbindAllAsync(),
  };
}
