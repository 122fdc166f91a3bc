import {
  ApiError,
  silentLogger,
  type CloudProvider,
  type Instance,
  type LoadBalancerIngress,
  type LoadBalancerPort,
  type Logger,
} from '@tugboat/core';

import { AddressPool } from './internal/AddressPool.js';
import { TcpBalancer } from './internal/TcpBalancer.js';

/** Options of the {@link LocalCloudProvider}. */
export interface LocalCloudProviderOptions {
  /** Addresses load balancers listen on (default `127.20.0.0/24`: loopback, no privileges needed). */
  readonly loadBalancerPool?: string;
  /** Region reported for every machine (default `local`). */
  readonly region?: string;
  /** Zone reported for machines added without one (default `local-a`). */
  readonly zone?: string;
  readonly logger?: Logger;
}

/** A machine of the local cloud, as {@link LocalCloudProvider.addMachine} takes it. */
export interface LocalMachine {
  /** The node's address (InternalIP). */
  readonly address: string;
  readonly instanceType?: string;
  readonly zone?: string;
}

interface Balancer {
  readonly ip: string;
  readonly listeners: Map<number, TcpBalancer>;
}

/**
 * The `local` cloud: instances are the machines the node agents run on, and a load balancer is a
 * TCP listener on an address from a loopback pool, forwarding round-robin to the NodePort on every
 * node address. A node the provider was never told about counts as an existing machine (so a
 * cluster without any `addMachine` call keeps its nodes); {@link removeMachine} makes its instance
 * gone, which lets the node controller delete the Node. UDP ports are not balanced.
 */
export class LocalCloudProvider implements CloudProvider {
  readonly name = 'local';
  private readonly machines = new Map<string, LocalMachine>();
  private readonly removed = new Set<string>();
  private readonly pool: AddressPool;
  private readonly balancers = new Map<string, Balancer>();
  private readonly logger: Logger;

  constructor(private readonly options: LocalCloudProviderOptions = {}) {
    this.pool = new AddressPool(options.loadBalancerPool ?? '127.20.0.0/24');
    this.logger = (options.logger ?? silentLogger).child({ component: 'local-cloud' });
  }

  /** Declares (or re-declares) the machine behind node `name`. */
  addMachine(name: string, machine: LocalMachine): void {
    this.machines.set(name, machine);
    this.removed.delete(name);
  }

  /** Removes the machine behind node `name`: its instance no longer exists. */
  removeMachine(name: string): void {
    this.machines.delete(name);
    this.removed.add(name);
  }

  instance(nodeName: string): Promise<Instance | undefined> {
    if (this.removed.has(nodeName)) return Promise.resolve(undefined);
    const m = this.machines.get(nodeName);
    return Promise.resolve({
      providerId: `local://${nodeName}`,
      instanceType: m?.instanceType ?? 'local',
      addresses: m
        ? [
            { type: 'InternalIP', address: m.address },
            { type: 'Hostname', address: nodeName },
          ]
        : [],
      zone: { region: this.options.region ?? 'local', zone: m?.zone ?? this.options.zone ?? 'local-a' },
    });
  }

  async ensureLoadBalancer(
    service: { readonly namespace: string; readonly name: string; readonly uid: string },
    ports: readonly LoadBalancerPort[],
    nodeAddresses: readonly string[],
  ): Promise<readonly LoadBalancerIngress[]> {
    let lb = this.balancers.get(service.uid);
    if (lb === undefined) {
      const ip = this.pool.acquire(service.uid);
      if (ip === undefined)
        throw new ApiError('Unavailable', `load balancer pool ${this.pool.cidr} is exhausted`);
      lb = { ip, listeners: new Map() };
      this.balancers.set(service.uid, lb);
    }
    const tcp = ports.filter((p) => p.protocol === 'TCP');
    for (const [port, listener] of lb.listeners) {
      if (tcp.some((p) => p.port === port)) continue;
      lb.listeners.delete(port);
      await listener.close();
    }
    for (const p of tcp) {
      let listener = lb.listeners.get(p.port);
      if (listener === undefined) {
        listener = new TcpBalancer(lb.ip, p.port);
        try {
          await listener.listen();
        } catch (err) {
          throw new ApiError(
            'Unavailable',
            `cannot listen on ${lb.ip}:${p.port} for ${service.namespace}/${service.name}: ${String(err)}`,
          );
        }
        lb.listeners.set(p.port, listener);
        this.logger.info('load balancer listening', {
          service: `${service.namespace}/${service.name}`,
          address: `${lb.ip}:${p.port}`,
        });
      }
      listener.setTargets(nodeAddresses.map((host) => ({ host, port: p.nodePort })));
    }
    return [{ ip: lb.ip }];
  }

  async deleteLoadBalancer(service: {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
  }): Promise<void> {
    const lb = this.balancers.get(service.uid);
    if (lb === undefined) return;
    this.balancers.delete(service.uid);
    await Promise.all([...lb.listeners.values()].map((l) => l.close()));
    this.pool.release(service.uid);
  }

  /** Closes every load balancer (at shutdown). */
  async close(): Promise<void> {
    for (const uid of [...this.balancers.keys()])
      await this.deleteLoadBalancer({ namespace: '', name: '', uid });
  }
}
