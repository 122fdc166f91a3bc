import { ListWatchInformer, resources, silentLogger, type corev1, type Logger } from '@tugboat/core';

import { InProcessApiClient } from '../client/InProcessApiClient.js';
import type { ApiEndpoint, Authenticator, Authorizer } from '../http/hooks.js';
import type { ServerTlsOptions } from '../http/ServerOptions.js';
import type { ClusterPki } from '../pki/ClusterPki.js';
import type { Registry } from '../registry/Registry.js';
import { CertificateAuthenticator } from './CertificateAuthenticator.js';
import { SelfSubjectAccessReviewEndpoint } from './endpoints/SelfSubjectAccessReviewEndpoint.js';
import { SelfSubjectReviewEndpoint } from './endpoints/SelfSubjectReviewEndpoint.js';
import { SelfSubjectRulesReviewEndpoint } from './endpoints/SelfSubjectRulesReviewEndpoint.js';
import { TokenRequestEndpoint } from './endpoints/TokenRequestEndpoint.js';
import { ImpersonatingAuthenticator } from './ImpersonatingAuthenticator.js';
import { NodeAuthorizer } from './node/NodeAuthorizer.js';
import { ensureBootstrapPolicy } from './rbac/ensureBootstrapPolicy.js';
import { RbacAuthorizer } from './rbac/RbacAuthorizer.js';
import { RbacInformers } from './rbac/RbacInformers.js';
import { ServiceAccountAuthenticator } from './ServiceAccountAuthenticator.js';
import { ServiceAccountTokens } from './ServiceAccountTokens.js';
import { TokenFileAuthenticator } from './TokenFileAuthenticator.js';
import { UnionAuthenticator } from './UnionAuthenticator.js';
import { UnionAuthorizer } from './UnionAuthorizer.js';

/** Options of {@link ClusterSecurity.start}. */
export interface ClusterSecurityOptions {
  readonly registry: Registry;
  readonly pki: ClusterPki;
  /** A static token file (`token,user,uid,"groups"`); absent file or option: no static tokens. */
  readonly tokenFile?: string;
  /** The ServiceAccount token issuer (default `https://kubernetes.default.svc.cluster.local`). */
  readonly issuer?: string;
  /** Audiences accepted on ServiceAccount tokens (default: the issuer). */
  readonly apiAudiences?: readonly string[];
  readonly logger?: Logger;
}

/**
 * The API server's security, assembled: TLS from the cluster PKI; authentication by client
 * certificate, static token and ServiceAccount token, with impersonation; authorization by
 * `system:masters`, the Node authorizer and RBAC (kept by watching the registry, with the
 * default roles created at start); and the TokenRequest and self-review endpoints. Pass
 * {@link serverOptions} to `startApiServer`, and `NodeRestriction` to the registry's admission.
 */
export class ClusterSecurity {
  private constructor(
    readonly authenticator: Authenticator,
    readonly authorizer: Authorizer,
    readonly endpoints: readonly ApiEndpoint[],
    readonly tokens: ServiceAccountTokens,
    readonly tls: ServerTlsOptions,
    private readonly stops: readonly (() => Promise<void>)[],
  ) {}

  /** Creates the default RBAC policy where absent, starts the caches and builds the hooks. */
  static async start(options: ClusterSecurityOptions): Promise<ClusterSecurity> {
    const log = (options.logger ?? silentLogger).child({ component: 'auth' });
    const { registry, pki } = options;
    const client = new InProcessApiClient(registry);
    const created = await ensureBootstrapPolicy(client);
    if (created.length > 0) log.info('created the default RBAC policy', { objects: created.length });
    const rbac = new RbacInformers(client, log);
    const pods = new ListWatchInformer<corev1.Pod>(client, resources.Pods, log);
    pods.addIndex('nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    await Promise.all([rbac.start(), pods.start()]);
    const rbacAuthorizer = new RbacAuthorizer(rbac);
    const authorizer = new UnionAuthorizer([
      new NodeAuthorizer({ podsOnNode: (node) => pods.cache.byIndex('nodeName', node) }),
      rbacAuthorizer,
    ]);
    const tokens = await ServiceAccountTokens.create({
      privatePem: pki.serviceAccountKey.privatePem,
      publicPem: pki.serviceAccountKey.publicPem,
      ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
      ...(options.apiAudiences !== undefined ? { apiAudiences: options.apiAudiences } : {}),
    });
    const tokenFile =
      options.tokenFile !== undefined ? TokenFileAuthenticator.fromFile(options.tokenFile) : undefined;
    if (tokenFile !== undefined && tokenFile.size > 0)
      log.info('loaded static tokens', { file: options.tokenFile, tokens: tokenFile.size });
    const authenticator = new ImpersonatingAuthenticator(
      new UnionAuthenticator(
        [new CertificateAuthenticator()],
        [...(tokenFile !== undefined ? [tokenFile] : []), new ServiceAccountAuthenticator(tokens, client)],
      ),
      authorizer,
    );
    const endpoints = [
      new TokenRequestEndpoint(tokens, client),
      new SelfSubjectAccessReviewEndpoint(authorizer),
      new SelfSubjectRulesReviewEndpoint(rbacAuthorizer),
      new SelfSubjectReviewEndpoint(),
    ];
    registry.serveEndpoints(endpoints);
    const tls = { key: pki.serving.keyPem, cert: pki.serving.certPem, ca: pki.ca.certPem };
    return new ClusterSecurity(authenticator, authorizer, endpoints, tokens, tls, [
      () => rbac.stop(),
      () => pods.stop(),
    ]);
  }

  /** The `startApiServer` options this security provides. */
  serverOptions(): {
    tls: ServerTlsOptions;
    authenticator: Authenticator;
    authorizer: Authorizer;
    endpoints: readonly ApiEndpoint[];
  } {
    return {
      tls: this.tls,
      authenticator: this.authenticator,
      authorizer: this.authorizer,
      endpoints: this.endpoints,
    };
  }

  /** Stops the caches. */
  async stop(): Promise<void> {
    await Promise.all(this.stops.map((s) => s()));
  }
}
