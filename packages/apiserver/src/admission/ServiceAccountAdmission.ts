import { randomBytes } from 'node:crypto';

import type { corev1 } from '@tugboat/core';

import type { AdmissionAttributes, AdmissionPlugin } from './AdmissionPlugin.js';

/** Where the API access volume is mounted in every container, as upstream. */
export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How the plugin reads a ServiceAccount (for its `automountServiceAccountToken`). */
export type ServiceAccountLookup = (
  namespace: string,
  name: string,
) => Promise<corev1.ServiceAccount | undefined>;

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from upstream's name-suffix alphabet (no vowels, no look-alikes). */
function suffix(): string {
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The ServiceAccount admission plugin, as upstream's: a new pod runs as `default` unless it names
 * a ServiceAccount, and unless the pod or its ServiceAccount opts out with
 * `automountServiceAccountToken: false`, gets a `kube-api-access-xxxxx` projected volume (a bound
 * token valid 3607 s, the `kube-root-ca.crt` CA and the namespace) mounted read-only at
 * `/var/run/secrets/kubernetes.io/serviceaccount` in every container. Needs the root CA publisher
 * controller, which provides the ConfigMap. Unlike upstream, a ServiceAccount that does not exist
 * (yet) is not an error: the pod is admitted and mounts the token once the account exists.
 */
export class ServiceAccountAdmission implements AdmissionPlugin {
  readonly name = 'ServiceAccount';
  readonly phase = 'mutating';

  constructor(private readonly lookup: ServiceAccountLookup) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.resource.group !== '' || a.resource.plural !== 'pods' || a.subresource)
      return;
    const pod = a.object as corev1.Pod | undefined;
    const spec = pod?.spec;
    if (spec === undefined) return;
    // Mirror pods (static pods) are left alone upstream.
    if (pod?.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
    spec.serviceAccountName ||= 'default';
    spec.serviceAccount = spec.serviceAccountName;
    if (spec.automountServiceAccountToken === false) return;
    const namespace = a.namespace ?? pod?.metadata?.namespace ?? 'default';
    if (spec.automountServiceAccountToken === undefined) {
      const account = await this.lookup(namespace, spec.serviceAccountName);
      if (account?.automountServiceAccountToken === false) return;
    }
    const allContainers = [...(spec.initContainers ?? []), ...spec.containers];
    if (
      allContainers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === serviceAccountMountPath))
    )
      return;
    const existing = (spec.volumes ?? []).find((v) => v.name.startsWith('kube-api-access-'));
    const volumeName = existing?.name ?? `kube-api-access-${suffix()}`;
    if (existing === undefined) {
      spec.volumes = [
        ...(spec.volumes ?? []),
        {
          name: volumeName,
          projected: {
            defaultMode: 0o644,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [
                    { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  ],
                },
              },
            ],
          },
        },
      ];
    }
    for (const c of allContainers) {
      c.volumeMounts = [
        ...(c.volumeMounts ?? []),
        { name: volumeName, readOnly: true, mountPath: serviceAccountMountPath },
      ];
    }
  }
}
