import {
  ApiClient,
  ApiError,
  controller,
  resources,
  selectorFromSet,
  SharedInformerFactory,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { Enqueue } from '../internal/Enqueue.js';
import { stableStringify } from '../internal/templateHash.js';
import { hasSelector, podEndpoints, portsKey } from './podEndpoints.js';

const { Services, Pods, EndpointsResource } = resources;

/** Upstream's cap on the addresses of one Endpoints object, and the annotation marking a cut. */
const maxEndpoints = 1000;
const overCapacity = 'endpoints.kubernetes.io/over-capacity';

/** Keeps at most {@link maxEndpoints} addresses, ready ones first (upstream truncates the same way). */
function truncate(subsets: corev1.EndpointSubset[]): {
  subsets: corev1.EndpointSubset[];
  truncated: boolean;
} {
  const total = subsets.reduce(
    (n, s) => n + (s.addresses ?? []).length + (s.notReadyAddresses ?? []).length,
    0,
  );
  if (total <= maxEndpoints) return { subsets, truncated: false };
  let budget = maxEndpoints;
  const ready = subsets.map((s) => {
    const keep = (s.addresses ?? []).slice(0, budget);
    budget -= keep.length;
    return keep;
  });
  const out = subsets.map((s, i) => {
    const notReady = (s.notReadyAddresses ?? []).slice(0, budget);
    budget -= notReady.length;
    const next: corev1.EndpointSubset = { ...s, addresses: ready[i] ?? [], notReadyAddresses: notReady };
    if (notReady.length === 0) delete next.notReadyAddresses;
    return next;
  });
  return { subsets: out, truncated: true };
}

/**
 * Wakes the named controller for every Service (in the pod's namespace) whose selector matches a
 * pod before or after a change, so label and readiness changes reach the endpoints at once.
 */
export function enqueueServicesOfPods(
  informers: SharedInformerFactory,
  enqueue: Enqueue,
  controllerName: string,
): void {
  const services = informers.informerFor(Services);
  informers.informerFor(Pods).events.subscribe((e) => {
    const ns = e.object.metadata?.namespace;
    if (!ns) return;
    const labels = [e.object.metadata?.labels, e.type === 'updated' ? e.old.metadata?.labels : undefined];
    for (const svc of services.cache.list(ns)) {
      if (!hasSelector(svc)) continue;
      const sel = selectorFromSet(svc.spec?.selector ?? {});
      if (labels.some((l) => l !== undefined && sel.matches(l)))
        enqueue(controllerName, { namespace: ns, name: svc.metadata?.name ?? '' });
    }
  });
}

/**
 * The Endpoints controller: keeps an Endpoints object named after each Service with a selector,
 * listing the matching pods' addresses as ready or not ready per port set, with named
 * targetPorts resolved per pod and `publishNotReadyAddresses` honoured. Deletes it with the Service.
 */
@controller({
  name: 'endpoints',
  for: Services,
  watches: [
    {
      resource: EndpointsResource,
      map: (ep) =>
        ep.metadata?.namespace ? [{ namespace: ep.metadata.namespace, name: ep.metadata.name ?? '' }] : [],
    },
  ],
  workers: 2,
})
@injectable()
export class EndpointsController implements Reconciler {
  private readonly services: Informer<corev1.Service>;
  private readonly pods: Informer<corev1.Pod>;
  private readonly endpoints: Informer<corev1.Endpoints>;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Enqueue) enqueue: Enqueue,
  ) {
    this.services = informers.informerFor(Services);
    this.pods = informers.informerFor(Pods);
    this.endpoints = informers.informerFor(EndpointsResource);
    enqueueServicesOfPods(informers, enqueue, 'endpoints');
  }

  async reconcile({ namespace = '', name }: ReconcileRequest): Promise<void> {
    const svc = this.services.cache.get(name, namespace);
    const current = this.endpoints.cache.get(name, namespace);
    if (svc === undefined) {
      if (current !== undefined) {
        await this.api.delete(EndpointsResource, name, { namespace }).catch((err: unknown) => {
          if (!ApiError.is(err, 'NotFound')) throw err;
        });
      }
      return;
    }
    if (!hasSelector(svc) || svc.metadata?.deletionTimestamp) return;
    const subsets = new Map<string, corev1.EndpointSubset>();
    for (const ep of podEndpoints(svc, this.pods.cache.list(namespace))) {
      if (ep.terminating && !svc.spec?.publishNotReadyAddresses) continue;
      if (ep.ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
      const key = portsKey(ep.ports);
      let subset = subsets.get(key);
      if (subset === undefined) subsets.set(key, (subset = { ports: ep.ports }));
      const address: corev1.EndpointAddress = {
        ip: ep.ip,
        targetRef: {
          kind: 'Pod',
          namespace,
          name: ep.pod.metadata?.name ?? '',
          uid: ep.pod.metadata?.uid ?? '',
        },
      };
      if (ep.pod.spec?.nodeName) address.nodeName = ep.pod.spec.nodeName;
      if (ep.ready) (subset.addresses ??= []).push(address);
      else (subset.notReadyAddresses ??= []).push(address);
    }
    const all = [...subsets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
    const { subsets: kept, truncated } = truncate(all);
    const desired: corev1.Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name,
        namespace,
        labels: {
          ...(svc.metadata?.labels ?? {}),
          ...(svc.spec?.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {}),
        },
      },
      subsets: kept,
    };
    if (truncated) desired.metadata = { ...desired.metadata, annotations: { [overCapacity]: 'truncated' } };
    if (current === undefined) {
      await this.api.create(EndpointsResource, desired, { namespace }).catch((err: unknown) => {
        // Created by an earlier pass the cache has not seen yet: the watch event brings us back.
        if (!ApiError.is(err, 'AlreadyExists')) throw err;
      });
      return;
    }
    const annotations = Object.fromEntries(
      Object.entries(current.metadata?.annotations ?? {}).filter(([k]) => k !== overCapacity),
    );
    if (truncated) annotations[overCapacity] = 'truncated';
    const same =
      stableStringify(current.metadata?.annotations ?? {}) === stableStringify(annotations) &&
      stableStringify(current.subsets ?? []) === stableStringify(desired.subsets) &&
      stableStringify(current.metadata?.labels ?? {}) === stableStringify(desired.metadata?.labels);
    if (same) return;
    await this.api.update(
      EndpointsResource,
      {
        ...current,
        metadata: { ...current.metadata, labels: desired.metadata?.labels ?? {}, annotations },
        subsets: desired.subsets ?? [],
      },
      { namespace },
    );
  }
}
