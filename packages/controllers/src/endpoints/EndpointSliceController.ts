import {
  ApiClient,
  ApiError,
  controller,
  ownerReferenceTo,
  resources,
  SharedInformerFactory,
  type corev1,
  type discoveryv1,
  type Informer,
  type ReconcileRequest,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { Enqueue } from '../internal/Enqueue.js';
import { stableStringify } from '../internal/templateHash.js';
import { enqueueServicesOfPods } from './EndpointsController.js';
import { hasSelector, podEndpoints, portsKey, type EndpointPortInfo } from './podEndpoints.js';

const { Services, Pods, EndpointSlices } = resources;

/** Labels upstream puts on the slices it manages. */
const serviceNameLabel = 'kubernetes.io/service-name';
const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
const managedBy = 'endpointslice-controller.k8s.io';
/** Upstream's default `--max-endpoints-per-slice`. */
const maxEndpointsPerSlice = 100;

/**
 * The EndpointSlice controller: for each Service with a selector, keeps IPv4 EndpointSlices of at
 * most 100 endpoints per distinct set of resolved ports, owned by the Service, whose endpoints carry the `ready`,
 * `serving` and `terminating` conditions of the matching pods.
 */
@controller({ name: 'endpointslice', for: Services, owns: [EndpointSlices], workers: 2 })
@injectable()
export class EndpointSliceController implements Reconciler {
  private readonly services: Informer<corev1.Service>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly slices: Informer<discoveryv1.EndpointSlice>;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Enqueue) enqueue: Enqueue,
  ) {
    this.services = informers.informerFor(Services);
    this.pods = informers.informerFor(Pods);
    this.slices = informers.informerFor(EndpointSlices);
    enqueueServicesOfPods(informers, enqueue, 'endpointslice');
  }

  async reconcile({ namespace = '', name }: ReconcileRequest): Promise<void> {
    const svc = this.services.cache.get(name, namespace);
    // A deleted Service's slices go with it through the garbage collector (they are owned).
    if (svc === undefined || !hasSelector(svc) || svc.metadata?.deletionTimestamp) return;
    const groups = new Map<string, { ports: EndpointPortInfo[]; endpoints: discoveryv1.Endpoint[] }>();
    for (const ep of podEndpoints(svc, this.pods.cache.list(namespace))) {
      if (ep.ip.includes(':')) continue; // IPv4 slices only
      const key = portsKey(ep.ports);
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { ports: ep.ports, endpoints: [] }));
      const endpoint: discoveryv1.Endpoint = {
        addresses: [ep.ip],
        conditions: { ready: ep.ready, serving: ep.serving, terminating: ep.terminating },
        targetRef: {
          kind: 'Pod',
          namespace,
          name: ep.pod.metadata?.name ?? '',
          uid: ep.pod.metadata?.uid ?? '',
        },
      };
      if (ep.pod.spec?.nodeName) endpoint.nodeName = ep.pod.spec.nodeName;
      group.endpoints.push(endpoint);
    }
    if (groups.size === 0) groups.set(portsKey([]), { ports: [], endpoints: [] });
    const existing = this.slices.cache
      .list(namespace)
      .filter(
        (s) =>
          s.metadata?.labels?.[serviceNameLabel] === name && s.metadata.labels[managedByLabel] === managedBy,
      );
    const unused = [...existing];
    for (const [key, group] of groups) {
      for (let i = 0; i === 0 || i < group.endpoints.length; i += maxEndpointsPerSlice) {
        const idx = unused.findIndex((s) => portsKey((s.ports ?? []) as EndpointPortInfo[]) === key);
        const slice = idx >= 0 ? unused.splice(idx, 1)[0] : unused.shift();
        await this.write(svc, slice, group.ports, group.endpoints.slice(i, i + maxEndpointsPerSlice));
      }
    }
    for (const s of unused) {
      await this.api
        .delete(EndpointSlices, s.metadata?.name ?? '', {
          namespace,
          preconditions: { uid: s.metadata?.uid ?? '' },
        })
        .catch((err: unknown) => {
          if (!ApiError.is(err, 'NotFound', 'Conflict')) throw err;
        });
    }
  }

  private async write(
    svc: corev1.Service,
    current: discoveryv1.EndpointSlice | undefined,
    ports: EndpointPortInfo[],
    endpoints: discoveryv1.Endpoint[],
  ): Promise<void> {
    const namespace = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const labels = { ...(svc.metadata?.labels ?? {}), [serviceNameLabel]: name, [managedByLabel]: managedBy };
    if (current === undefined) {
      await this.api.create(
        EndpointSlices,
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            generateName: `${name}-`,
            namespace,
            labels,
            ownerReferences: [
              ownerReferenceTo(svc, Services, { controller: true, blockOwnerDeletion: true }),
            ],
          },
          addressType: 'IPv4',
          ports,
          endpoints,
        },
        { namespace },
      );
      return;
    }
    const same =
      stableStringify(current.endpoints) === stableStringify(endpoints) &&
      stableStringify(current.ports ?? []) === stableStringify(ports) &&
      stableStringify(current.metadata?.labels ?? {}) === stableStringify(labels);
    if (same) return;
    await this.api.update(
      EndpointSlices,
      { ...current, metadata: { ...current.metadata, labels }, ports, endpoints },
      { namespace },
    );
  }
}
