import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import {
  BootstrapTokenAuthenticator,
  BootstrapTokenRequestAuthenticator,
  CertificateSigningRequests,
  ClusterInfoAnonymousAuthenticator,
  certificatesModule,
  certificateStrategies,
  ClusterPki,
  ClusterSecurity,
  CsrAdmission,
  ensureClusterInfoAccess,
  ensureKubernetesService,
  ensureNodeBootstrapPolicy,
  KubeletNodeProxy,
  NodeRestriction,
  Registry,
  ResourceRegistry,
  ServiceAccountAdmission,
  ServiceAllocator,
  apiserverModule,
  bootstrapTokenNamespace,
  bootstrapTokenSecretName,
  buildKubeconfig,
  startApiServer,
  type Authorizer,
} from '@tugboat/apiserver';
import { controllersModule } from '@tugboat/controllers';
import {
  ApiClient,
  ApiError,
  ControllerManager,
  LeaderElector,
  Logger,
  SharedInformerFactory,
  Store,
  controllerRuntimeModule,
  resources,
  type Logger as LoggerType,
} from '@tugboat/core';
import { Dashboard } from '@tugboat/dashboard';
import { Scheduler, SchedulerOptions, schedulerModule } from '@tugboat/scheduler-default';
import { EtcdStore, etcdStoreModule } from '@tugboat/store-etcd';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

import { ensureClusterInfo } from './clusterInfo.js';
import { leaderGated } from './leaderGated.js';

/** Lease timings of leader election, in ms (upstream's `--leader-elect-*` flags). */
export interface LeaderElectionTimings {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** Options of {@link startSharedControlPlane}. */
export interface SharedControlPlaneOptions {
  /** Holds `pki/` (shared by every control plane) and the admin kubeconfig. */
  readonly dataDir: string;
  /** `etcd://h1:p1,h2:p2` (shared by every control plane), or `undefined` for store-memory in `dataDir/store`. */
  readonly store?: string;
  readonly port: number;
  readonly host: string;
  readonly extraSans: readonly string[];
  readonly serviceClusterIpRange: string;
  readonly serviceNodePortRange: string;
  readonly leaderElection: LeaderElectionTimings;
  /** This process's identity in the leases (default `<hostname>_<uuid>`). */
  readonly identity?: string;
  readonly logger: LoggerType;
  readonly progress?: (line: string) => void;
}

/** A running control-plane process. */
export interface SharedControlPlane {
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly identity: string;
  readonly client: ApiClient;
  /** Stops the scheduler, the controllers, the server and the store, releasing the leases. */
  stop(): Promise<void>;
}

/** The Lease names of the two active/standby components, in `kube-system`. */
export const schedulerLease = 'kube-scheduler';
export const controllerManagerLease = 'kube-controller-manager';

/**
 * Starts one control-plane process of a cluster that may have several: the API server on the
 * shared store (etcd, or memory for a single one) with the cluster PKI from `dataDir/pki`,
 * bootstrap-token authentication, the CertificateSigningRequest API, `kube-public/cluster-info`
 * (readable without credentials, signed per bootstrap token for token discovery), and the
 * scheduler and controller manager (with the CSR approver and signer and the bootstrap signer)
 * active/standby by Lease election on
 * `kube-system/kube-scheduler` and `kube-system/kube-controller-manager`.
 */
export async function startSharedControlPlane(
  options: SharedControlPlaneOptions,
): Promise<SharedControlPlane> {
  const { dataDir, logger, host } = options;
  const say = options.progress ?? ((): void => undefined);
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pki = await ClusterPki.loadOrCreate({
    dir: join(dataDir, 'pki'),
    extraSans: [host, ...options.extraSans],
    logger,
  });
  const container = new Container();
  container.bind(Logger).toConstantValue(logger);
  if (options.store !== undefined) {
    container.load(etcdStoreModule(options.store, { logger }));
  } else {
    const storeDir = join(dataDir, 'store');
    mkdirSync(storeDir, { recursive: true });
    container.load(memoryStoreModule({ dataDir: storeDir, logger }));
  }
  const serviceAccounts = new ServiceAccountAdmission((namespace, name) =>
    container
      .get(ApiClient)
      .get(resources.ServiceAccounts, name, { namespace })
      .catch(() => undefined),
  );
  // Who may approve or issue a signer's certificates is RBAC's call (verbs approve and sign on
  // `signers`); the authorizer exists once security has started, before the server takes requests.
  let authorizer: Authorizer | undefined;
  const csrAdmission = new CsrAdmission({
    authorizer: {
      authorize: (attributes) =>
        authorizer?.authorize(attributes) ??
        Promise.resolve({ allowed: false, reason: 'the API server is still starting' }),
    },
  });
  container.load(
    apiserverModule({
      strategies: certificateStrategies(),
      admissionPlugins: [new NodeRestriction(), serviceAccounts, csrAdmission],
      serviceClusterIpRange: options.serviceClusterIpRange,
      serviceNodePortRange: options.serviceNodePortRange,
    }),
  );
  container.get(ResourceRegistry).add(CertificateSigningRequests);
  const stops: { what: string; stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { what, stop } of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => {
        logger.warn(`stopping ${what} failed`, { error: err instanceof Error ? err.message : String(err) });
      });
    }
  };
  try {
    const store = container.get(Store);
    stops.push({ what: 'store', stop: () => store.close() });
    if (store instanceof EtcdStore) {
      await store.ready();
      say(`store: etcd at ${options.store ?? ''}`);
    }
    const registry = container.get(Registry);
    await registry.start();
    stops.push({
      what: 'registry',
      stop: () => {
        registry.close();
        return Promise.resolve();
      },
    });
    const client = container.get(ApiClient);
    await ensureNodeBootstrapPolicy(client);
    await ensureClusterInfoAccess(client);
    const security = await ClusterSecurity.start({
      registry,
      pki,
      tokenFile: join(dataDir, 'tokens.csv'),
      logger,
    });
    stops.push({ what: 'security', stop: () => security.stop() });
    authorizer = security.authorizer;
    const bootstrapTokens = new BootstrapTokenAuthenticator((id) =>
      client
        .get(resources.Secrets, bootstrapTokenSecretName(id), { namespace: bootstrapTokenNamespace })
        .catch(() => undefined),
    );
    const nodeProxy = new KubeletNodeProxy({
      client,
      clientCertPem: pki.kubeletClient.certPem,
      clientKeyPem: pki.kubeletClient.keyPem,
      kubeletCaPem: pki.ca.certPem,
      logger,
    });
    stops.push({
      what: 'node proxy',
      stop: () => {
        nodeProxy.close();
        return Promise.resolve();
      },
    });
    const serverOptions = security.serverOptions();
    const server = await startApiServer({
      registry,
      host,
      port: options.port,
      ...serverOptions,
      // Without credentials, only kube-public/cluster-info can be read (token discovery).
      authenticator: new ClusterInfoAnonymousAuthenticator(
        new BootstrapTokenRequestAuthenticator(serverOptions.authenticator, bootstrapTokens),
      ),
      nodeProxy,
      nonResourceHandlers: [new Dashboard()],
      logger,
    }).catch((err: unknown) => {
      const code = (err as { code?: unknown } | undefined)?.code;
      if (code === 'EADDRINUSE')
        throw new ApiError(
          'Unavailable',
          `port ${options.port} on ${host} is already in use: pass --port with a free port`,
        );
      throw err;
    });
    stops.push({ what: 'apiserver', stop: () => server.close() });
    const url = `https://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
    say(`apiserver: listening on ${url} (identity ${identity})`);
    await ensureKubernetesService(client, {
      clusterIp: container.get(ServiceAllocator).kubernetesServiceIp,
      apiserverAddress: '127.0.0.1',
      apiserverPort: server.port,
    }).catch((err: unknown) => {
      // Another control plane may be writing the same Service at this moment; it is there either way.
      logger.warn('ensuring default/kubernetes failed', {
        error: err instanceof Error ? err.message : String(err),
      });
    });
    // Joining nodes learn the CA from here; the bootstrap signer signs it per token.
    await ensureClusterInfo(client, url, pki.ca.certPem);
    const kubeconfigPath = join(dataDir, 'kubeconfig');
    writeFileSync(
      kubeconfigPath,
      buildKubeconfig({ server: url, caPem: pki.ca.certPem, credentials: pki.admin }),
      {
        mode: 0o600,
      },
    );
    chmodSync(kubeconfigPath, 0o600);

    const timings = options.leaderElection;
    const elector = (name: string): LeaderElector =>
      new LeaderElector(client, logger, { name, namespace: 'kube-system', identity, ...timings });
    const managerElector = elector(controllerManagerLease);
    container.load(
      controllerRuntimeModule({ manager: { leaderElector: managerElector } }),
      schedulerModule(),
      controllersModule({ rootCaPem: pki.ca.certPem, bootstrapSigner: true }),
      certificatesModule({ ca: pki.ca }),
    );
    stops.push({ what: 'informers', stop: () => container.get(SharedInformerFactory).stop() });
    const manager = container.get(ControllerManager);
    const managerLeading = managerElector.leading$.subscribe((leading) => {
      say(
        `controller-manager: ${leading ? 'leading' : 'standby'} (lease kube-system/${controllerManagerLease})`,
      );
    });
    await manager.start();
    stops.push({
      what: 'controllers',
      stop: async () => {
        await manager.stop();
        managerLeading.unsubscribe();
      },
    });
    const scheduling = leaderGated(
      elector(schedulerLease),
      'scheduler',
      async () => {
        const scheduler = new Scheduler(
          client,
          logger,
          container.get(SharedInformerFactory),
          container.get(SchedulerOptions),
        );
        await scheduler.start();
        return scheduler;
      },
      logger,
      (leading) => {
        say(`scheduler: ${leading ? 'leading' : 'standby'} (lease kube-system/${schedulerLease})`);
      },
    );
    stops.push({ what: 'scheduler', stop: () => scheduling.stop() });
    return { url, kubeconfigPath, identity, client, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
