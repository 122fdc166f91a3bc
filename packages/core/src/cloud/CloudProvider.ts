import { token } from '../di/token.js';

/** What the cloud knows about one machine. */
export interface Instance {
  readonly providerId: string;
  readonly instanceType: string;
  readonly addresses: readonly { readonly type: string; readonly address: string }[];
  readonly zone: { readonly region: string; readonly zone: string };
}

/** A load balancer's address. */
export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
}

/** A Service port to balance, with the NodePort behind it. */
export interface LoadBalancerPort {
  readonly name?: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  readonly nodePort: number;
}

/**
 * The cloud under a cluster: instances, zones and load balancers (the parts of upstream's
 * `cloudprovider.Interface` a cluster needs). Small on purpose, so a provider for a real cloud can
 * live outside this repository.
 */
export interface CloudProvider {
  readonly name: string;
  /** The instance backing a node, or `undefined` if it no longer exists. */
  instance(nodeName: string): Promise<Instance | undefined>;
  ensureLoadBalancer(
    service: { readonly namespace: string; readonly name: string; readonly uid: string },
    ports: readonly LoadBalancerPort[],
    nodeAddresses: readonly string[],
  ): Promise<readonly LoadBalancerIngress[]>;
  deleteLoadBalancer(service: {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
  }): Promise<void>;
}

/** Inversify token for the {@link CloudProvider}. */
export const CloudProvider = token<CloudProvider>('core/CloudProvider');
