import { stringify } from 'yaml';

/** What a kubeconfig for one user of one cluster holds. */
export interface KubeconfigOptions {
  /** `https://127.0.0.1:6443`. */
  readonly server: string;
  readonly caPem: string;
  /** The user's credentials: a client certificate, or a bearer token. */
  readonly credentials: { readonly certPem: string; readonly keyPem: string } | { readonly token: string };
  /** The user's entry name (default `kubernetes-admin`). */
  readonly user?: string;
  /** The cluster and context name stem (default `tugboat`). */
  readonly cluster?: string;
}

/** Builds a kubeconfig (YAML) with one cluster, one user and one current context. */
export function buildKubeconfig(options: KubeconfigOptions): string {
  const cluster = options.cluster ?? 'tugboat';
  const user = options.user ?? 'kubernetes-admin';
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const creds = options.credentials;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: { server: options.server, 'certificate-authority-data': b64(options.caPem) },
      },
    ],
    users: [
      {
        name: user,
        user:
          'token' in creds
            ? { token: creds.token }
            : { 'client-certificate-data': b64(creds.certPem), 'client-key-data': b64(creds.keyPem) },
      },
    ],
    contexts: [{ name: `${user}@${cluster}`, context: { cluster, user } }],
    'current-context': `${user}@${cluster}`,
    preferences: {},
  });
}
