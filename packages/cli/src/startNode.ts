import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { HttpApiClient } from '@tugboat/client';
import { ApiError, type Logger } from '@tugboat/core';
import { Kubelet } from '@tugboat/kubelet';
import { Proxy } from '@tugboat/proxy';

import { bootstrapNode, nodeClientOptions, requestServingCertificate } from './bootstrapNode.js';
import { discoverClusterCa } from './discoverClusterCa.js';
import type { ProxyMode } from './nodeFlags.js';
import type { RuntimeChoice } from './runtimeChoice.js';
import { selectRuntime } from './selectRuntime.js';

/** Options of {@link startNode}. */
export interface NodeOptions {
  readonly server: string;
  readonly token?: string;
  /** The cluster CA; absent: discovered from `kube-public/cluster-info` with the token. */
  readonly caPem?: string;
  /** `sha256:<hex>` pins of the discovered CA's public key (none: the token's signature alone). */
  readonly caCertHashes?: readonly string[];
  readonly nodeName: string;
  readonly dataDir: string;
  readonly runtime: RuntimeChoice;
  readonly containerdSocket?: string;
  readonly dockerSocket?: string;
  readonly kubeletPort: number;
  readonly address: string;
  /** What the node's proxy serves (default `all`: cluster IPs and NodePorts on `address`). */
  readonly proxy?: ProxyMode;
  readonly logger: Logger;
  readonly progress?: (line: string) => void;
}

/** A running node. */
export interface RunningNode {
  readonly kubelet: Kubelet;
  /** The node's kube-proxy (absent with `proxy: 'off'`). */
  readonly proxy?: Proxy;
  readonly kubeconfigPath: string;
  /** Stops the proxy and the kubelet and closes the runtime and API clients. */
  stop(): Promise<void>;
}

/**
 * Starts a node that joins over HTTPS: without a CA, discovers it with the token (see
 * {@link discoverClusterCa}; a wrong token or CA hash fails before anything is written), picks the
 * runtime (an explicit one that does not answer fails before anything else), bootstraps the node's client certificate with the token (see
 * {@link bootstrapNode}), requests the kubelet's serving certificate as the node, and runs the
 * kubelet as `system:node:<name>` with an {@link HttpApiClient}, so the Node authorizer and
 * NodeRestriction hold it to its own Node, Lease and pods; then the node's proxy with the same
 * identity (the Node authorizer lets nodes read Services and EndpointSlices), serving what the
 * Services say: their cluster IPs, and NodePorts on the node's address.
 */
export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const { logger, nodeName } = options;
  const say = options.progress ?? ((): void => undefined);
  let caPem = options.caPem;
  if (caPem === undefined) {
    if (options.token === undefined)
      throw new ApiError('BadRequest', 'without a cluster CA, a bootstrap token is needed to discover it');
    caPem = await discoverClusterCa({
      server: options.server,
      token: options.token,
      caCertHashes: options.caCertHashes ?? [],
    });
    say(
      `discovery: cluster CA from kube-public/cluster-info, signed with token ${options.token.split('.')[0] ?? ''}${(options.caCertHashes ?? []).length > 0 ? ' and matching the pinned hash' : ''}`,
    );
  }
  const selected = await selectRuntime({
    choice: options.runtime,
    ...(options.containerdSocket !== undefined ? { containerdSocket: options.containerdSocket } : {}),
    ...(options.dockerSocket !== undefined ? { dockerSocket: options.dockerSocket } : {}),
    logger,
  });
  say(`runtime: ${selected.description}`);
  const stops: (() => Promise<void>)[] = [() => selected.runtime.close()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const creds = await bootstrapNode({
      server: options.server,
      ...(options.token !== undefined ? { token: options.token } : {}),
      caPem,
      nodeName,
      dataDir: options.dataDir,
      logger,
      progress: say,
    });
    const client = new HttpApiClient(nodeClientOptions(options.server, creds));
    stops.push(() => {
      client.close();
      return Promise.resolve();
    });
    const serving = await requestServingCertificate(
      client,
      nodeName,
      [...new Set([options.address, '127.0.0.1', 'localhost', nodeName, hostname().toLowerCase()])],
      60_000,
    );
    say('kubelet: serving certificate issued');
    const rootDir = join(options.dataDir, 'kubelet');
    mkdirSync(rootDir, { recursive: true, mode: 0o700 });
    const kubelet = new Kubelet({
      nodeName,
      client,
      runtime: selected.runtime,
      rootDir,
      logger,
      address: options.address,
      server: {
        host: options.address,
        port: options.kubeletPort,
        tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: creds.caPem },
      },
    });
    try {
      await kubelet.start();
    } catch (err) {
      await kubelet.stop().catch(() => undefined);
      const text = err instanceof Error ? `${err.message} ${String(err.cause)}` : String(err);
      if (text.includes('EADDRINUSE'))
        throw new ApiError(
          'Unavailable',
          `the kubelet's port ${options.kubeletPort} on ${options.address} is already in use: pass --kubelet-port with a free port (0 picks one)`,
        );
      throw err;
    }
    stops.push(() => kubelet.stop());
    say(
      `kubelet: node ${nodeName} registered as system:node:${nodeName} (https://${options.address}:${kubelet.serverPort})`,
    );
    const mode = options.proxy ?? 'all';
    if (mode === 'off') return { kubelet, kubeconfigPath: creds.kubeconfigPath, stop: stopAll };
    const proxy = new Proxy({
      client,
      nodeName,
      nodeAddress: options.address,
      serveClusterIps: mode === 'all',
      logger,
    });
    stops.push(() => proxy.stop());
    await proxy.start();
    say(`proxy: started (${mode === 'all' ? 'cluster IPs, and ' : ''}NodePorts on ${options.address})`);
    return { kubelet, proxy, kubeconfigPath: creds.kubeconfigPath, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
