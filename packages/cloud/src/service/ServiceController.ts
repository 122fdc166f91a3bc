import {
  ApiClient,
  ApiError,
  CloudProvider,
  controller,
  hasFinalizer,
  resources,
  SharedInformerFactory,
  type corev1,
  type Informer,
  type LoadBalancerPort,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import { loadBalancerNodeAddresses } from './loadBalancerNodes.js';

const { Services, Nodes } = resources;

/** The finalizer that keeps a LoadBalancer Service until its load balancer is gone (upstream's name). */
export const loadBalancerCleanupFinalizer = 'service.kubernetes.io/load-balancer-cleanup';

/** The request a node change maps to: re-sync every LoadBalancer Service. */
const allServices: ReconcileRequest = { name: '' };

function wantsLoadBalancer(svc: corev1.Service): boolean {
  // A Service naming a loadBalancerClass belongs to another implementation, as upstream.
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass && !svc.metadata?.deletionTimestamp;
}

function sameIngress(
  a: readonly corev1.LoadBalancerIngress[],
  b: readonly corev1.LoadBalancerIngress[],
): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The cloud-controller-manager's service controller: for every `LoadBalancer` Service it ensures a
 * load balancer through the {@link CloudProvider} (in front of the NodePorts on the ready nodes),
 * writes `status.loadBalancer.ingress`, and holds the `service.kubernetes.io/load-balancer-cleanup`
 * finalizer so the load balancer is deleted before the Service goes (or when its type changes).
 * Node changes re-sync every LoadBalancer Service.
 */
@controller({
  name: 'cloud-service',
  for: Services,
  watches: [{ resource: Nodes, map: () => [allServices] }],
})
@injectable()
export class ServiceController implements Reconciler {
  private readonly services: Informer<corev1.Service>;
  private readonly nodes: Informer<corev1.Node>;
  private lastNodes = '';

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
  ) {
    this.services = informers.informerFor(Services);
    this.nodes = informers.informerFor(Nodes);
  }

  async reconcile(req: ReconcileRequest): Promise<ReconcileResult | undefined> {
    if (req.name === '') {
      const addresses = loadBalancerNodeAddresses(this.nodes.cache.list()).join(',');
      if (addresses === this.lastNodes) return undefined;
      const failures: unknown[] = [];
      for (const svc of this.services.cache.list()) {
        if (wantsLoadBalancer(svc)) await this.sync(svc).catch((err: unknown) => failures.push(err));
      }
      if (failures.length > 0) throw failures[0];
      this.lastNodes = addresses;
      return undefined;
    }
    const svc = this.services.cache.get(req.name, req.namespace);
    if (svc !== undefined) await this.sync(svc);
    return undefined;
  }

  private async sync(svc: corev1.Service): Promise<void> {
    const ref = {
      namespace: svc.metadata?.namespace ?? '',
      name: svc.metadata?.name ?? '',
      uid: svc.metadata?.uid ?? '',
    };
    const ns = { namespace: ref.namespace };
    if (!wantsLoadBalancer(svc)) {
      if (!hasFinalizer(svc, loadBalancerCleanupFinalizer)) return;
      await this.cloud.deleteLoadBalancer(ref);
      let cur = svc;
      if (!svc.metadata?.deletionTimestamp && svc.status?.loadBalancer?.ingress?.length) {
        cur = await this.api.updateStatus(
          Services,
          { ...svc, status: { ...svc.status, loadBalancer: {} } },
          ns,
        );
      }
      await this.api.update(
        Services,
        {
          ...cur,
          metadata: {
            ...cur.metadata,
            finalizers: (cur.metadata?.finalizers ?? []).filter((f) => f !== loadBalancerCleanupFinalizer),
          },
        },
        ns,
      );
      return;
    }
    let cur = svc;
    if (!hasFinalizer(svc, loadBalancerCleanupFinalizer)) {
      // The finalizer goes on before the load balancer exists, so no balancer can outlive its Service.
      cur = await this.api.update(
        Services,
        {
          ...svc,
          metadata: {
            ...svc.metadata,
            finalizers: [...(svc.metadata?.finalizers ?? []), loadBalancerCleanupFinalizer],
          },
        },
        ns,
      );
    }
    const ports: LoadBalancerPort[] = [];
    for (const p of cur.spec?.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      if (!p.nodePort || (protocol !== 'TCP' && protocol !== 'UDP')) continue;
      ports.push({ ...(p.name ? { name: p.name } : {}), protocol, port: p.port, nodePort: p.nodePort });
    }
    const nodes = loadBalancerNodeAddresses(this.nodes.cache.list());
    const ingress = await this.cloud.ensureLoadBalancer(ref, ports, nodes);
    const want: corev1.LoadBalancerIngress[] = ingress.map((i) => ({
      ...(i.ip !== undefined ? { ip: i.ip } : {}),
      ...(i.hostname !== undefined ? { hostname: i.hostname } : {}),
    }));
    if (sameIngress(cur.status?.loadBalancer?.ingress ?? [], want)) return;
    try {
      await this.api.updateStatus(
        Services,
        { ...cur, status: { ...cur.status, loadBalancer: { ingress: want } } },
        ns,
      );
    } catch (err) {
      // A newer version exists: its own event brings the Service back here.
      if (!ApiError.is(err, 'Conflict')) throw err;
    }
  }
}
