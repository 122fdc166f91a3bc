import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { parseEtcdUrl } from '@tugboat/store-etcd';

import { runtimeChoices, type RuntimeChoice } from './runtimeChoice.js';
import {
  clusterComponents,
  configFields,
  loadUpConfig,
  type ClusterComponent,
  type UpConfig,
} from './upConfig.js';

/** The `tug` usage text. */
export const usage = `usage: tug up [--config FILE] [--store etcd://HOST:PORT] [--port PORT] [--data-dir DIR] [--host ADDR] [--tls-san NAME]... [--anonymous-auth]
              [--runtime auto|containerd|docker|fake] [--containerd-socket PATH] [--docker-socket PATH]
              [--node-name NAME] [--kubelet-port PORT] [--service-cluster-ip-range CIDR]
              [--service-node-port-range FROM-TO] [--load-balancer-pool CIDR]
              [--dns-address ADDR] [--dns-port PORT]

  up    run a single-node cluster in this process (store, HTTPS API server, scheduler,
        controllers, local cloud, a kubelet, its proxy and cluster DNS) until Ctrl-C or SIGTERM

  --config FILE             a TugConfig YAML file (apiVersion tugboat.dev/v1alpha1): the settings
                            below as camelCase fields, components to switch off and the controllers
                            to run; flags given as well override it (see docs/cli.md)
  --store URL               etcd endpoints (etcd://HOST:PORT[,HOST:PORT...]) holding the cluster's
                            state; without it, store-memory persisted in DIR/store
  --port PORT               HTTPS port of the API server (default 6443; 0 picks a free one)
  --data-dir DIR            where the store, the PKI, the kubelet's files and the admin kubeconfig
                            live (default .tug)
  --host ADDR               address to listen on (default 127.0.0.1)
  --tls-san NAME            extra DNS name or IP for the serving certificate (repeatable)
  --anonymous-auth          serve requests without credentials as system:anonymous instead of 401
  --runtime NAME            container runtime of the node: auto (default: containerd, then Docker,
                            then the simulation), containerd, docker or fake
  --containerd-socket PATH  containerd's socket (default /run/tugboat/containerd/containerd.sock)
  --docker-socket PATH      the Docker Engine's socket (default /run/tugboat/docker/docker.sock)
  --node-name NAME          the node's name (default the host name, lowercased)
  --kubelet-port PORT       HTTPS port of the kubelet (default 10250; 0 picks a free one)
  --service-cluster-ip-range CIDR
                            Service cluster IPs (default 127.10.0.0/16: loopback, so the proxy
                            listens on them without any network setup)
  --service-node-port-range FROM-TO
                            NodePorts, served on 127.0.0.1 (default 30000-32767)
  --load-balancer-pool CIDR addresses of LoadBalancer Services (default 127.20.0.0/24)
  --dns-address ADDR        IPv4 address of the cluster DNS (default 127.0.0.1)
  --dns-port PORT           UDP port of the cluster DNS (default 10053; 0 picks a free one)`;

/** The parsed flags of `tug up`. */
export interface UpFlags {
  /** etcd endpoints, when the state lives in etcd. */
  readonly store?: string;
  readonly port: number;
  readonly dataDir: string;
  readonly host: string;
  readonly sans: readonly string[];
  readonly anonymous: boolean;
  readonly runtime: RuntimeChoice;
  readonly containerdSocket?: string;
  readonly dockerSocket?: string;
  readonly nodeName: string;
  readonly kubeletPort: number;
  readonly serviceClusterIpRange: string;
  readonly serviceNodePortRange: string;
  readonly loadBalancerPool: string;
  readonly dnsAddress: string;
  readonly dnsPort: number;
  /** Which parts of the cluster run (all by default). */
  readonly components: Readonly<Record<ClusterComponent, boolean>>;
  /** The controllers to run (default: all of them). */
  readonly controllers?: readonly string[];
  /** The `--config` file as read, when one was given. */
  readonly config?: UpConfig;
}

function parsePort(flag: string, raw: string): number | string {
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(port) && port <= 65535
    ? port
    : `${flag} must be a number from 0 to 65535, got "${raw}"`;
}

const fieldOfFlag = new Map(Object.entries(configFields).map(([field, { flag }]) => [flag, field]));

/** Whether `text` is an IPv4 CIDR from /1 to /30 (both ranges need at least two usable addresses). */
function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  return m?.[1] !== undefined && isIP(m[1]) === 4 && Number(m[2]) >= 1 && Number(m[2]) <= 30;
}

function isPortRange(text: string): boolean {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses `tug up` flags; a string is the one-line complaint about bad flags. */
export function parseUp(args: string[]): UpFlags | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        store: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        'tls-san': { type: 'string', multiple: true },
        'anonymous-auth': { type: 'boolean' },
        runtime: { type: 'string' },
        'containerd-socket': { type: 'string' },
        'docker-socket': { type: 'string' },
        'node-name': { type: 'string' },
        'kubelet-port': { type: 'string' },
        'service-cluster-ip-range': { type: 'string' },
        'service-node-port-range': { type: 'string' },
        'load-balancer-pool': { type: 'string' },
        'dns-address': { type: 'string' },
        'dns-port': { type: 'string' },
        config: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return (err as Error).message;
  }
  const config = values.config === undefined ? undefined : loadUpConfig(values.config);
  if (typeof config === 'string') return config;
  // What a flag did not set comes from the file; complaints name where the value came from.
  const fromFile = new Set<string>();
  const merged: Record<string, unknown> = { ...values };
  for (const [flag, value] of Object.entries(config?.flags ?? {})) {
    if (merged[flag] !== undefined) continue;
    // Paths in the file are relative to the file, as kubeconfig paths are.
    merged[flag] =
      typeof value === 'string' &&
      value.trim() !== '' &&
      ['data-dir', 'containerd-socket', 'docker-socket'].includes(flag)
        ? resolve(dirname(config?.file ?? '.'), value)
        : value;
    fromFile.add(flag);
  }
  values = merged as typeof values;
  const name = (flag: string): string =>
    fromFile.has(flag) ? `${config?.file ?? ''}: ${fieldOfFlag.get(flag) ?? flag}` : `--${flag}`;
  if (values.store !== undefined) {
    try {
      parseEtcdUrl(values.store);
    } catch (err) {
      return `${name('store')}: ${(err as Error).message}`;
    }
  }
  const port = parsePort(name('port'), values.port ?? '6443');
  if (typeof port === 'string') return port;
  const kubeletPort = parsePort(name('kubelet-port'), values['kubelet-port'] ?? '10250');
  if (typeof kubeletPort === 'string') return kubeletPort;
  const dnsPort = parsePort(name('dns-port'), values['dns-port'] ?? '10053');
  if (typeof dnsPort === 'string') return dnsPort;
  const serviceClusterIpRange = values['service-cluster-ip-range'] ?? '127.10.0.0/16';
  if (!isCidr(serviceClusterIpRange))
    return `${name('service-cluster-ip-range')} must be an IPv4 CIDR from /1 to /30, got "${serviceClusterIpRange}"`;
  const loadBalancerPool = values['load-balancer-pool'] ?? '127.20.0.0/24';
  if (!isCidr(loadBalancerPool))
    return `${name('load-balancer-pool')} must be an IPv4 CIDR from /1 to /30, got "${loadBalancerPool}"`;
  const serviceNodePortRange = values['service-node-port-range'] ?? '30000-32767';
  if (!isPortRange(serviceNodePortRange))
    return `${name('service-node-port-range')} must be FROM-TO within 1-65535, got "${serviceNodePortRange}"`;
  const dnsAddress = values['dns-address'] ?? '127.0.0.1';
  if (isIP(dnsAddress) !== 4) return `${name('dns-address')} must be an IPv4 address, got "${dnsAddress}"`;
  const runtime = values.runtime ?? 'auto';
  if (!(runtimeChoices as readonly string[]).includes(runtime))
    return `${name('runtime')} must be one of ${runtimeChoices.join(', ')}, got "${runtime}"`;
  const nodeName = values['node-name'] ?? hostname().toLowerCase();
  if (nodeName.length > 253 || !dns1123Subdomain.test(nodeName))
    return `${name('node-name')} must be a lowercase DNS name (a-z, 0-9, '-', '.'), got "${nodeName}"${values['node-name'] === undefined ? ' from the host name' : ''}`;
  for (const flag of ['containerd-socket', 'docker-socket'] as const) {
    if (values[flag]?.trim() === '') return `${name(flag)} must not be empty`;
  }
  const dataDir = values['data-dir'] ?? '.tug';
  if (dataDir.trim() === '') return `${name('data-dir')} must not be empty`;
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') return `${name('host')} must not be empty`;
  const sans = values['tls-san'] ?? [];
  if (sans.some((s) => s.trim() === '' || /[\s,]/.test(s)))
    return `${name('tls-san')} takes one DNS name or IP without spaces or commas`;
  return {
    ...(values.store !== undefined ? { store: values.store } : {}),
    port,
    dataDir: resolve(dataDir),
    host,
    sans,
    anonymous: values['anonymous-auth'] === true,
    runtime: runtime as RuntimeChoice,
    ...(values['containerd-socket'] !== undefined ? { containerdSocket: values['containerd-socket'] } : {}),
    ...(values['docker-socket'] !== undefined ? { dockerSocket: values['docker-socket'] } : {}),
    nodeName,
    kubeletPort,
    serviceClusterIpRange,
    serviceNodePortRange,
    loadBalancerPool,
    dnsAddress,
    dnsPort,
    components: Object.fromEntries(
      clusterComponents.map((c) => [c, config?.components[c] ?? true]),
    ) as Record<ClusterComponent, boolean>,
    ...(config?.controllers !== undefined ? { controllers: config.controllers } : {}),
    ...(config !== undefined ? { config } : {}),
  };
}
