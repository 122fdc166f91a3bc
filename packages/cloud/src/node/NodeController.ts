import {
  ApiClient,
  ApiError,
  CloudProvider,
  controller,
  resources,
  SharedInformerFactory,
  token,
  type corev1,
  type Informer,
  type Instance,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable, optional } from 'inversify';

const { Nodes } = resources;

/** The taint a kubelet started with an external cloud provider puts on its node until it is initialised. */
export const uninitializedTaint = 'node.cloudprovider.kubernetes.io/uninitialized';

/** Options of the {@link NodeController}. */
export interface NodeControllerOptions {
  /** How often every node's instance is checked again (default 10 s). */
  readonly monitorPeriodMs?: number;
}

/** Inversify token for {@link NodeControllerOptions}. */
export const NodeControllerOptions = token<NodeControllerOptions>('cloud/NodeControllerOptions');

function initialised(node: corev1.Node, inst: Instance): corev1.Node {
  const labels = {
    ...(node.metadata?.labels ?? {}),
    'topology.kubernetes.io/region': inst.zone.region,
    'topology.kubernetes.io/zone': inst.zone.zone,
    'node.kubernetes.io/instance-type': inst.instanceType,
  };
  const taints = (node.spec?.taints ?? []).filter((t) => t.key !== uninitializedTaint);
  const spec: corev1.NodeSpec = { ...node.spec, providerID: node.spec?.providerID ?? inst.providerId };
  if (taints.length > 0) spec.taints = taints;
  else delete spec.taints;
  return { ...node, metadata: { ...node.metadata, labels }, spec };
}

/**
 * The cloud-controller-manager's node controller (upstream's cloud-node and cloud-node-lifecycle
 * controllers in one): initialises each Node from its cloud instance — `spec.providerID`, the
 * region, zone and instance-type labels, the addresses, and removal of the `uninitialized` taint —
 * and deletes Nodes whose instance no longer exists. Every node is checked again periodically,
 * since the cloud sends no events.
 */
@controller({ name: 'cloud-node', for: Nodes })
@injectable()
export class NodeController implements Reconciler {
  private readonly nodes: Informer<corev1.Node>;
  private readonly periodMs: number;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(NodeControllerOptions) @optional() options: NodeControllerOptions = {},
  ) {
    this.nodes = informers.informerFor(Nodes);
    this.periodMs = options.monitorPeriodMs ?? 10_000;
  }

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult | undefined> {
    const node = this.nodes.cache.get(name);
    if (node === undefined) return undefined;
    const inst = await this.cloud.instance(name);
    if (inst === undefined) {
      await this.api.delete(Nodes, name).catch((err: unknown) => {
        if (!ApiError.is(err, 'NotFound')) throw err;
      });
      return undefined;
    }
    const next = initialised(node, inst);
    if (
      JSON.stringify(next.metadata) !== JSON.stringify(node.metadata) ||
      JSON.stringify(next.spec) !== JSON.stringify(node.spec)
    ) {
      await this.api.update(Nodes, next);
      // The update's own event reconciles again, with the fresh resourceVersion, for the addresses.
      return { requeueAfter: this.periodMs };
    }
    const addresses = inst.addresses.map((a) => ({ type: a.type, address: a.address }));
    if (addresses.length > 0 && JSON.stringify(addresses) !== JSON.stringify(node.status?.addresses ?? [])) {
      await this.api.updateStatus(Nodes, { ...node, status: { ...node.status, addresses } });
    }
    return { requeueAfter: this.periodMs };
  }
}
