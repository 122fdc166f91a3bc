import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { InProcessApiClient, ServiceAllocator, nodesGroup } from '@tugboat/apiserver';
import { LocalCloudProvider, cloudModule } from '@tugboat/cloud';
import { controllersModule, type ControllerName } from '@tugboat/controllers';
import {
  ApiClient,
  ApiError,
  ControllerManager,
  SharedInformerFactory,
  controllerRuntimeModule,
  type Runtime,
} from '@tugboat/core';
import { Kubelet } from '@tugboat/kubelet';
import { ClusterDns, Proxy, ensureClusterDnsService, proxyModule } from '@tugboat/proxy';
import { Scheduler, schedulerModule } from '@tugboat/scheduler-default';

import type { RuntimeChoice } from './runtimeChoice.js';
import { selectRuntime } from './selectRuntime.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './startControlPlane.js';
import type { ClusterComponent } from './upConfig.js';

/** Options of {@link startCluster}: the control plane's, and the node's. */
export interface ClusterOptions extends ControlPlaneOptions {
  /** The node's container runtime (`auto`: containerd, then Docker, then the simulation). */
  readonly runtime: RuntimeChoice;
  readonly containerdSocket?: string;
  readonly dockerSocket?: string;
  /** The node's name (a DNS subdomain). */
  readonly nodeName: string;
  /** HTTPS port of the kubelet (0 picks a free one). */
  readonly kubeletPort: number;
  /** Addresses the local cloud's load balancers listen on (default `127.20.0.0/24`). */
  readonly loadBalancerPool?: string;
  /** Address the cluster DNS serves on (default `127.0.0.1`). */
  readonly dnsAddress?: string;
  /**
   * UDP port of the cluster DNS (default 0: a free one, so clusters in one test run never collide;
   * `tug up` defaults to 10053). Ports from 1024 up need no privileges.
   */
  readonly dnsPort?: number;
  /**
   * The interface the proxy holds cluster IPs on when the service range is outside 127.0.0.0/8
   * (default `tug-svc0`), so pods in their own network namespace reach Services; needs root.
   */
  readonly serviceInterface?: string;
}

/** Options of {@link startComposedCluster}: a cluster with some parts switched off. */
export interface ComposedClusterOptions extends ClusterOptions {
  /** Which parts run (each defaults to on); the API server and the store always do. */
  readonly components?: Readonly<Partial<Record<ClusterComponent, boolean>>>;
  /** The controllers to run (default: all of them). */
  readonly controllers?: readonly ControllerName[];
}

/** A running cluster of {@link startComposedCluster}: the parts switched off are absent. */
export type ComposedCluster = Omit<Cluster, 'kubelet' | 'proxy' | 'cloud' | 'dns'> &
  Partial<Pick<Cluster, 'kubelet' | 'proxy' | 'cloud' | 'dns'>>;

/** A running single-node cluster. */
export interface Cluster {
  readonly plane: ControlPlane;
  readonly kubelet: Kubelet;
  /** The node's kube-proxy. */
  readonly proxy: Proxy;
  /** The local cloud: load balancers, and the machine behind the node. */
  readonly cloud: LocalCloudProvider;
  /** The cluster DNS (its bound port is `dns.port`). */
  readonly dns: ClusterDns;
  /** The API server's URL. */
  readonly url: string;
  /** The admin kubeconfig. */
  readonly kubeconfigPath: string;
  /**
   * Stops the kubelet, the DNS, the proxy, the controllers, the cloud's load balancers, the
   * scheduler, the API server and the store, in that order.
   */
  stop(): Promise<void>;
}

/**
 * Starts a single-node cluster in this process, as `tug up` does: picks the node's runtime (an
 * explicit one that does not answer fails before anything starts), then the control plane (store,
 * API server, the `default/kubernetes` Service), the scheduler, the controllers (with the root CA
 * publisher) and the cloud controllers on the local provider, one kubelet with a serving
 * certificate from the cluster CA acting as `system:node:<name>`, the node's proxy and the cluster
 * DNS. Resolves once the node is registered and the proxy has programmed its first table. On
 * failure everything already started is stopped again.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const cluster = await startComposedCluster(options);
  const { kubelet, proxy, cloud, dns } = cluster;
  if (kubelet === undefined || proxy === undefined || cloud === undefined || dns === undefined)
    throw new ApiError('Internal', 'a component of the cluster did not start');
  return { ...cluster, kubelet, proxy, cloud, dns };
}

/**
 * {@link startCluster} with parts switched off (`tug up --config` with `components`): whatever is
 * off is not started and is absent from the result; the rest starts in the same order.
 */
export async function startComposedCluster(options: ComposedClusterOptions): Promise<ComposedCluster> {
  const say = options.progress ?? ((): void => undefined);
  const { logger, nodeName } = options;
  const on = (c: ClusterComponent): boolean => options.components?.[c] !== false;
  // The kubelet reports this InternalIP; NodePorts and the local cloud's machine use it too.
  const nodeAddress = '127.0.0.1';
  // Built first (it only parses its pool), so a bad pool is refused before anything starts.
  const pool = options.loadBalancerPool ?? '127.20.0.0/24';
  const cloud = on('cloud') ? new LocalCloudProvider({ loadBalancerPool: pool, logger }) : undefined;
  if (on('kubelet')) cloud?.addMachine(nodeName, { address: nodeAddress });
  const selected = on('kubelet')
    ? await selectRuntime({
        choice: options.runtime,
        ...(options.containerdSocket !== undefined ? { containerdSocket: options.containerdSocket } : {}),
        ...(options.dockerSocket !== undefined ? { dockerSocket: options.dockerSocket } : {}),
        logger,
      })
    : undefined;
  if (selected !== undefined) say(`runtime: ${selected.description}`);
  const stops: { readonly what: string; readonly stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { what, stop } of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => {
        logger.warn(`stopping ${what} failed`, { error: err instanceof Error ? err.message : String(err) });
      });
    }
  };
  if (selected !== undefined) stops.push({ what: 'runtime client', stop: () => selected.runtime.close() });
  try {
    const plane = await startControlPlane({ ...options, metricsApi: on('metrics') });
    stops.push({ what: 'control plane', stop: () => plane.stop() });
    const { container } = plane;
    container.load(controllerRuntimeModule(), schedulerModule());
    if (on('controllers'))
      container.load(
        controllersModule({
          rootCaPem: plane.pki.ca.certPem,
          ...(options.controllers !== undefined ? { controllers: options.controllers } : {}),
        }),
      );
    if (cloud !== undefined) container.load(cloudModule({ provider: cloud }));
    // Cluster IPs outside loopback must be local addresses: the proxy holds them on its interface.
    const serviceRange = container.get(ServiceAllocator).ipRange;
    const serviceInterface = serviceRange.addressAt(0).startsWith('127.')
      ? {}
      : { serviceInterface: options.serviceInterface ?? 'tug-svc0' };
    if (on('proxy')) container.load(proxyModule({ nodeName, nodeAddress, ...serviceInterface }));
    // Load balancers close once the controllers that ensure them have stopped.
    if (cloud !== undefined) stops.push({ what: 'load balancers', stop: () => cloud.close() });
    // The scheduler and the controllers share the informers; they stop after both.
    stops.push({ what: 'informers', stop: () => container.get(SharedInformerFactory).stop() });
    if (on('scheduler')) {
      const scheduler = container.get(Scheduler);
      await scheduler.start();
      stops.push({ what: 'scheduler', stop: () => scheduler.stop() });
      say('scheduler: started');
    }
    if (on('controllers') || cloud !== undefined) {
      const manager = container.get(ControllerManager);
      await manager.start();
      stops.push({ what: 'controllers', stop: () => manager.stop() });
      if (on('controllers')) say('controllers: started');
    }
    if (cloud !== undefined)
      say(
        on('kubelet')
          ? `cloud: local (load balancers from ${pool}; node ${nodeName} is a machine at ${nodeAddress})`
          : `cloud: local (load balancers from ${pool})`,
      );
    let proxy: Proxy | undefined;
    if (on('proxy')) {
      const started = container.get(Proxy);
      proxy = started;
      stops.push({ what: 'proxy', stop: () => started.stop() });
      await started.start();
      say(`proxy: started (cluster IPs, and NodePorts on ${nodeAddress})`);
    }
    let dns: ClusterDns | undefined;
    let clusterDns: string | undefined;
    if (on('dns')) {
      const started = await startDns(container.get(ApiClient), options);
      dns = started;
      stops.push({ what: 'dns', stop: () => started.stop() });
      // As upstream's kube-dns: a Service at the tenth address of the range, behind which the proxy
      // forwards to the DNS server, and the nameserver the kubelet gives pods.
      const dnsAddress = options.dnsAddress ?? '127.0.0.1';
      clusterDns = await ensureClusterDnsService(container.get(ApiClient), {
        clusterIp: serviceRange.addressAt(9),
        address: dnsAddress === '0.0.0.0' ? '127.0.0.1' : dnsAddress,
        port: started.port,
      });
      say(
        `dns: cluster.local on ${dnsAddress}:${started.port}/udp+tcp; Service kube-system/kube-dns at ${clusterDns}:53`,
      );
    }
    // The kubelet comes after the DNS, whose Service address it gives pods as their nameserver.
    let kubelet: Kubelet | undefined;
    if (selected !== undefined) {
      const started = await startKubelet(plane, options, selected.runtime, nodeAddress, clusterDns);
      kubelet = started;
      stops.push({ what: 'kubelet', stop: () => started.stop() });
      say(`kubelet: node ${nodeName} registered (https://127.0.0.1:${started.serverPort})`);
    }
    for (const c of ['scheduler', 'controllers', 'cloud', 'kubelet', 'proxy', 'dns', 'metrics'] as const)
      if (!on(c)) say(`${c}: off`);
    return {
      plane,
      ...(kubelet !== undefined ? { kubelet } : {}),
      ...(proxy !== undefined ? { proxy } : {}),
      ...(cloud !== undefined ? { cloud } : {}),
      ...(dns !== undefined ? { dns } : {}),
      url: plane.url,
      kubeconfigPath: plane.kubeconfigPath,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startKubelet(
  plane: ControlPlane,
  options: ClusterOptions,
  runtime: Runtime,
  address: string,
  clusterDns: string | undefined,
): Promise<Kubelet> {
  const { nodeName, logger } = options;
  const rootDir = join(options.dataDir, 'kubelet');
  mkdirSync(rootDir, { recursive: true, mode: 0o700 });
  const serving = await plane.pki.kubeletServing(nodeName, ['127.0.0.1', 'localhost', nodeName, hostname()]);
  // The kubelet acts as its node, so NodeRestriction holds it to its own Node, Lease and pods.
  const client = plane.container
    .get(InProcessApiClient)
    .as({ name: `system:node:${nodeName}`, groups: [nodesGroup, 'system:authenticated'] });
  const kubelet = new Kubelet({
    nodeName,
    client,
    runtime,
    rootDir,
    logger,
    address,
    ...(clusterDns !== undefined ? { clusterDns: [clusterDns] } : {}),
    server: {
      host: '127.0.0.1',
      port: options.kubeletPort,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: plane.pki.ca.certPem },
    },
  });
  try {
    await kubelet.start();
  } catch (err) {
    await kubelet.stop().catch(() => undefined);
    throw kubeletStartError(err, options.kubeletPort);
  }
  return kubelet;
}

async function startDns(client: ApiClient, options: ClusterOptions): Promise<ClusterDns> {
  const address = options.dnsAddress ?? '127.0.0.1';
  const port = options.dnsPort ?? 0;
  const dns = new ClusterDns({ client, address, port, logger: options.logger });
  try {
    await dns.start();
  } catch (err) {
    await dns.stop().catch(() => undefined);
    if (err instanceof Error && err.message.includes('EADDRINUSE'))
      throw new ApiError(
        'Unavailable',
        `the cluster DNS port ${port} on ${address} is already in use: stop the process listening there (another tug up?), or pass --dns-port with a free port (0 picks one)`,
      );
    throw err;
  }
  return dns;
}

function kubeletStartError(err: unknown, port: number): unknown {
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  const codes = [err, cause].map((e) =>
    e instanceof Error ? `${e.message} ${String((e as { code?: unknown }).code)}` : '',
  );
  if (codes.some((text) => text.includes('EADDRINUSE'))) {
    return new ApiError(
      'Unavailable',
      `the kubelet's port ${port} on 127.0.0.1 is already in use: stop the process listening there (another tug up?), or pass --kubelet-port with a free port (0 picks one)`,
    );
  }
  return err;
}
