import {
  ApiClient,
  ApiError,
  controller,
  resources,
  SharedInformerFactory,
  token,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

const { Namespaces, ConfigMaps } = resources;

/** The ConfigMap every namespace gets, holding the cluster CA under `ca.crt`. */
export const rootCaConfigMap = 'kube-root-ca.crt';

/** The cluster CA certificate (PEM) the {@link RootCaPublisher} publishes. */
export const RootCaPem = token<string>('controllers/RootCaPem');

/**
 * The root CA publisher, as upstream's: keeps a `kube-root-ca.crt` ConfigMap with the cluster CA
 * (`ca.crt`) in every active namespace, recreated when deleted and corrected when changed, so pods
 * can verify the API server (the `kube-api-access-*` projected volume reads it).
 */
@controller({
  name: 'root-ca-cert-publisher',
  for: Namespaces,
  watches: [
    {
      resource: ConfigMaps,
      map: (cm) =>
        cm.metadata?.name === rootCaConfigMap && cm.metadata.namespace
          ? [{ name: cm.metadata.namespace }]
          : [],
    },
  ],
})
@injectable()
export class RootCaPublisher implements Reconciler {
  private readonly namespaces: Informer<corev1.Namespace>;
  private readonly configMaps: Informer<corev1.ConfigMap>;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(RootCaPem) private readonly caPem: string,
  ) {
    this.namespaces = informers.informerFor(Namespaces);
    this.configMaps = informers.informerFor(ConfigMaps);
  }

  async reconcile({ name }: ReconcileRequest): Promise<void> {
    const ns = this.namespaces.cache.get(name);
    if (ns === undefined || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const data = { 'ca.crt': this.caPem };
    const existing = this.configMaps.cache.get(rootCaConfigMap, name);
    try {
      if (existing === undefined) {
        await this.api.create(
          ConfigMaps,
          { metadata: { name: rootCaConfigMap, namespace: name }, data },
          { namespace: name },
        );
      } else if (existing.data?.['ca.crt'] !== this.caPem || Object.keys(existing.data).length !== 1) {
        await this.api.update(ConfigMaps, { ...existing, data }, { namespace: name });
      }
    } catch (err) {
      // Another writer got there first, or the namespace began terminating: the watch brings us back.
      if (ApiError.is(err, 'AlreadyExists') || ApiError.is(err, 'Forbidden')) return;
      throw err;
    }
  }
}
