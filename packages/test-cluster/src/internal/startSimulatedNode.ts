import { mkdir } from 'node:fs/promises';

import { nodesGroup, type InProcessApiClient } from '@tugboat/apiserver';
import type { Logger, Runtime } from '@tugboat/core';
import { Kubelet } from '@tugboat/kubelet';
import { FakeRuntime } from '@tugboat/runtime-fake';

import type { TestNode } from '../TestClusterOptions.js';

/** What {@link startSimulatedNode} needs. */
export interface SimulatedNodeOptions {
  readonly name: string;
  /** The admin in-process client; the kubelet acts as its node through it. */
  readonly client: InProcessApiClient;
  readonly rootDir: string;
  readonly logger: Logger;
  readonly capacity?: Readonly<Record<string, string>>;
  /** The node's runtime (default: a fresh FakeRuntime). */
  readonly runtime?: Runtime;
}

// Fixed figures keep scheduling in tests independent of the machine the tests run on.
const defaultCapacity = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };

/**
 * Starts one simulated node: a kubelet on a fresh fake runtime acting as `system:node:<name>`
 * (so NodeRestriction holds it to its own objects, as a real node), without its HTTPS server.
 * On failure the runtime is closed.
 * Resolves once the Node is registered.
 */
export async function startSimulatedNode(options: SimulatedNodeOptions): Promise<TestNode> {
  const { name, logger } = options;
  await mkdir(options.rootDir, { recursive: true, mode: 0o700 });
  const runtime = options.runtime ?? new FakeRuntime();
  const kubelet = new Kubelet({
    nodeName: name,
    client: options.client.as({ name: `system:node:${name}`, groups: [nodesGroup, 'system:authenticated'] }),
    runtime,
    rootDir: options.rootDir,
    logger,
    capacity: options.capacity ?? defaultCapacity,
    imageGc: false,
  });
  try {
    await kubelet.start();
  } catch (err) {
    await kubelet.stop().catch(() => undefined);
    await runtime.close();
    throw err;
  }
  return { name, kubelet, runtime };
}
