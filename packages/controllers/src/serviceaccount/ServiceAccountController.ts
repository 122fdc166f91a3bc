import {
  ApiClient,
  ApiError,
  controller,
  resources,
  SharedInformerFactory,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

const { Namespaces, ServiceAccounts } = resources;

/** The ServiceAccount every namespace has. */
const defaultAccount = 'default';

/**
 * The ServiceAccount controller: makes sure every active namespace has a `default`
 * ServiceAccount, recreating it when deleted. (Tokens come from the TokenRequest subresource.)
 */
@controller({
  name: 'serviceaccount',
  for: Namespaces,
  watches: [
    {
      resource: ServiceAccounts,
      map: (sa) =>
        sa.metadata?.name === defaultAccount && sa.metadata.namespace
          ? [{ name: sa.metadata.namespace }]
          : [],
    },
  ],
})
@injectable()
export class ServiceAccountController implements Reconciler {
  private readonly namespaces: Informer<corev1.Namespace>;
  private readonly accounts: Informer<corev1.ServiceAccount>;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
  ) {
    this.namespaces = informers.informerFor(Namespaces);
    this.accounts = informers.informerFor(ServiceAccounts);
  }

  async reconcile({ name }: ReconcileRequest): Promise<void> {
    const ns = this.namespaces.cache.get(name);
    if (ns === undefined || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.accounts.cache.get(defaultAccount, name) !== undefined) return;
    try {
      await this.api.create(
        ServiceAccounts,
        { metadata: { name: defaultAccount, namespace: name } },
        { namespace: name },
      );
    } catch (err) {
      // Already there (the cache lagged), or the namespace began terminating meanwhile.
      if (ApiError.is(err, 'AlreadyExists')) return;
      if (ApiError.is(err, 'Forbidden', 'NotFound')) return;
      throw err;
    }
  }
}
