import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

import {
  ClusterPki,
  ClusterSecurity,
  Ipv4Range,
  KubeletNodeProxy,
  KubeletSummarySource,
  NodeRestriction,
  PortRange,
  Registry,
  ServiceAccountAdmission,
  ServiceAllocator,
  apiserverModule,
  buildKubeconfig,
  ensureKubernetesService,
  serveMetricsApi,
  startApiServer,
  type RunningApiServer,
} from '@tugboat/apiserver';
import { ApiClient, ApiError, Logger, Store, resources, type Logger as LoggerType } from '@tugboat/core';
import { Dashboard } from '@tugboat/dashboard';
import { EtcdStore, etcdStoreModule } from '@tugboat/store-etcd';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Where the store, the PKI and the kubeconfig live (default `.tug`). */
  readonly dataDir: string;
  /** etcd endpoints (`etcd://HOST:PORT[,HOST:PORT…]`) to keep the state in instead of store-memory in `dataDir`. */
  readonly store?: string;
  /** HTTPS port of the API server (0 picks a free one). */
  readonly port: number;
  /** Interface the API server listens on (default 127.0.0.1). */
  readonly host?: string;
  /** Extra names and IPs for the serving certificate. */
  readonly extraSans?: readonly string[];
  /** Serve requests without credentials as `system:anonymous` instead of answering 401. */
  readonly allowAnonymous?: boolean;
  /** IPv4 CIDR Service cluster IPs come from (default `127.10.0.0/16`, local without any setup). */
  readonly serviceClusterIpRange?: string;
  /** NodePorts, `FROM-TO` inclusive (default `30000-32767`). */
  readonly serviceNodePortRange?: string;
  /** Serve metrics.k8s.io from the kubelets' summaries (default true; `kubectl top` and the HPA need it). */
  readonly metricsApi?: boolean;
  readonly logger: LoggerType;
  /** Told one line per component as it comes up (`store: …`, `apiserver: …`). */
  readonly progress?: (line: string) => void;
}

/** A running control plane. */
export interface ControlPlane {
  readonly container: Container;
  /** The in-process client (acts as `system:admin`). */
  readonly client: ApiClient;
  readonly server: RunningApiServer;
  /** The cluster PKI under `dataDir/pki`. */
  readonly pki: ClusterPki;
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The admin kubeconfig written to the data directory. */
  readonly kubeconfigPath: string;
  /** Stops the server and every component, and flushes the store. */
  stop(): Promise<void>;
}

/**
 * Starts the control plane: the cluster PKI and store-memory under `dataDir`, the registry with
 * NodeRestriction and ServiceAccount admission and Service allocation, and the HTTPS API server
 * with client-certificate, token and ServiceAccount authentication, Node + RBAC authorization and
 * `pods/log`/`exec` forwarded to the kubelets with the apiserver's kubelet-client certificate;
 * then ensures the `default/kubernetes` Service and writes the admin kubeconfig to
 * `dataDir/kubeconfig`. A port in use is an `Unavailable` ApiError naming the port; a bad Service
 * range is a `BadRequest` raised before anything listens.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { dataDir, logger } = options;
  const host = options.host ?? '127.0.0.1';
  // A bad range is refused before anything is created or listens.
  Ipv4Range.parse(options.serviceClusterIpRange ?? '127.10.0.0/16');
  PortRange.parse(options.serviceNodePortRange ?? '30000-32767');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pki = await ClusterPki.loadOrCreate({
    dir: join(dataDir, 'pki'),
    extraSans: [host, ...(options.extraSans ?? [])],
    logger,
  });
  const storeDir = join(dataDir, 'store');
  if (options.store === undefined) mkdirSync(storeDir, { recursive: true });
  const container = new Container();
  container.bind(Logger).toConstantValue(logger);
  // Pods get their ServiceAccount's API access volume; the plugin reads accounts through the
  // in-process client of the very registry it admits for, resolved on first use.
  const serviceAccounts = new ServiceAccountAdmission((namespace, name) =>
    container
      .get(ApiClient)
      .get(resources.ServiceAccounts, name, { namespace })
      .catch((err: unknown) => {
        if (ApiError.is(err, 'NotFound')) return undefined;
        throw err;
      }),
  );
  container.load(
    options.store !== undefined
      ? etcdStoreModule(options.store, { logger })
      : memoryStoreModule({ dataDir: storeDir, logger }),
    apiserverModule({
      admissionPlugins: [new NodeRestriction(), serviceAccounts],
      ...(options.serviceClusterIpRange !== undefined
        ? { serviceClusterIpRange: options.serviceClusterIpRange }
        : {}),
      ...(options.serviceNodePortRange !== undefined
        ? { serviceNodePortRange: options.serviceNodePortRange }
        : {}),
    }),
  );
  const registry = container.get(Registry);
  const allocator = container.get(ServiceAllocator);
  const cleanups: (() => Promise<void>)[] = [() => container.get(Store).close()];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) {
      await fn().catch(() => undefined);
    }
  };
  const say = options.progress ?? ((): void => undefined);
  try {
    const store = container.get(Store);
    if (store instanceof EtcdStore) await store.ready();
    await registry.start();
    say(
      options.store !== undefined
        ? `store: etcd at ${options.store}`
        : `store: memory, persisted in ${storeDir}`,
    );
    cleanups.push(() => {
      registry.close();
      return Promise.resolve();
    });
    const security = await ClusterSecurity.start({
      registry,
      pki,
      tokenFile: join(dataDir, 'tokens.csv'),
      logger,
    });
    cleanups.push(() => security.stop());
    // `kubectl logs` and `exec` reach the kubelets over mutual TLS with the cluster CA.
    const nodeProxy = new KubeletNodeProxy({
      client: container.get(ApiClient),
      clientCertPem: pki.kubeletClient.certPem,
      clientKeyPem: pki.kubeletClient.keyPem,
      kubeletCaPem: pki.ca.certPem,
      logger,
    });
    cleanups.push(() => {
      nodeProxy.close();
      return Promise.resolve();
    });
    // metrics.k8s.io (kubectl top, the HPA) scraped from the same kubelets, as metrics-server does.
    if (options.metricsApi !== false)
      serveMetricsApi(
        registry,
        new KubeletSummarySource({
          client: container.get(ApiClient),
          clientCertPem: pki.kubeletClient.certPem,
          clientKeyPem: pki.kubeletClient.keyPem,
          kubeletCaPem: pki.ca.certPem,
          logger,
        }),
      );
    const server = await startApiServer({
      registry,
      host,
      port: options.port,
      ...security.serverOptions(),
      nodeProxy,
      // The dashboard at /ui, authorized like any path (the view, edit and admin roles grant it).
      nonResourceHandlers: [new Dashboard()],
      ...(options.allowAnonymous ? { allowAnonymous: true } : {}),
      logger,
    }).catch((err: unknown) => {
      throw listenError(err, host, options.port);
    });
    cleanups.push(() => server.close());
    const clusterIp = allocator.kubernetesServiceIp;
    await ensureKubernetesService(container.get(ApiClient), {
      clusterIp,
      // Endpoints are IPv4 addresses the proxy can dial; an unspecified or IPv6 host is reached on loopback.
      apiserverAddress: isIP(host) === 4 && host !== '0.0.0.0' ? host : '127.0.0.1',
      apiserverPort: server.port,
    });
    const url = `https://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
    const kubeconfigPath = join(dataDir, 'kubeconfig');
    writeFileSync(
      kubeconfigPath,
      buildKubeconfig({ server: url, caPem: pki.ca.certPem, credentials: pki.admin }),
      { mode: 0o600 },
    );
    chmodSync(kubeconfigPath, 0o600);
    say(`apiserver: listening on ${url}`);
    say(
      `services: cluster IPs from ${allocator.ipRange.cidr}, NodePorts ${allocator.portRange.toString()}; default/kubernetes at ${clusterIp}:443`,
    );
    return { container, client: container.get(ApiClient), server, pki, url, kubeconfigPath, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new ApiError(
      'Unavailable',
      `port ${port} on ${host} is already in use: stop the process listening there, or pass --port with a free port`,
    );
  }
  if (code === 'EACCES') {
    return new ApiError(
      'Unavailable',
      `not allowed to listen on port ${port} on ${host}: pick a port above 1023 with --port`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new ApiError('Unavailable', `cannot listen on ${host}: no such local address (check --host)`);
  }
  return err;
}
