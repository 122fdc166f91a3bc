import type { PodDnsConfig, corev1 } from '@tugboat/core';

/** The node's DNS settings a pod's resolver configuration is computed from (upstream's kubelet flags). */
export interface NodeDnsSettings {
  /** `--cluster-dns`: the cluster DNS Service's address(es); empty = no cluster DNS. */
  readonly clusterDns: readonly string[];
  /** `--cluster-domain` (e.g. `cluster.local`); empty = no cluster search paths. */
  readonly clusterDomain: string;
  /** The host's resolver configuration (from `--resolv-conf`), or `undefined` when that flag is empty. */
  readonly host: PodDnsConfig | undefined;
}

/** A reason the computed configuration differs from what the pod asked for (an event on the pod). */
export interface PodDnsWarning {
  readonly reason: 'MissingClusterDNS' | 'DNSConfigForming';
  readonly message: string;
}

/** The result of {@link podDnsConfig}. */
export interface PodDnsResult {
  readonly dnsConfig: PodDnsConfig;
  readonly warnings: readonly PodDnsWarning[];
}

// Limits of the resolvers pods run (glibc): three nameservers; upstream's search limits since 1.28.
const maxNameservers = 3;
const maxSearchPaths = 32;
const maxSearchChars = 2048;
const defaultOptions = ['ndots:5'];

type DnsType = 'cluster' | 'host' | 'none';

function dnsType(spec: corev1.PodSpec | undefined): DnsType {
  switch (spec?.dnsPolicy) {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    case undefined:
    default:
      // ClusterFirst (the default): host-network pods fall back to the node's resolver, as upstream.
      return spec?.hostNetwork ? 'host' : 'cluster';
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

// Pod options override the base by name; `name:value` when a value is given, as upstream merges them.
function mergeOptions(base: readonly string[], pod: readonly corev1.PodDNSConfigOption[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0] ?? o, o);
  for (const o of pod) {
    if (!o.name) continue;
    byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  }
  return [...byName.values()];
}

function fitSearches(searches: readonly string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const s of searches) {
    if (out.length === maxSearchPaths || chars + s.length + (out.length ? 1 : 0) > maxSearchChars) break;
    chars += s.length + (out.length ? 1 : 0);
    out.push(s);
  }
  return out;
}

/**
 * The resolver configuration of a pod's sandbox, as upstream's kubelet computes it from
 * `spec.dnsPolicy`: `ClusterFirst` (the default) and `ClusterFirstWithHostNet` get the cluster DNS,
 * the search path `<ns>.svc.<domain> svc.<domain> <domain>` (then the host's) and `ndots:5`;
 * `Default` (and `ClusterFirst` on the host network) gets the host's; `None` gets only
 * `spec.dnsConfig`, which every policy then appends to. Without a cluster DNS, cluster policies fall
 * back to `Default` with a `MissingClusterDNS` warning; nameservers beyond 3 and search paths beyond
 * 32 (or 2048 characters) are dropped with a `DNSConfigForming` warning.
 */
export function podDnsConfig(pod: corev1.Pod, node: NodeDnsSettings): PodDnsResult {
  const warnings: PodDnsWarning[] = [];
  const spec = pod.spec;
  const ns = pod.metadata?.namespace ?? 'default';
  const hostSearches = node.host?.searches ?? [];
  // Without --resolv-conf upstream points host-policy pods at the node's own resolver, no search path.
  const host = node.host ?? { servers: ['127.0.0.1'], searches: ['.'], options: [] };
  let type = dnsType(spec);
  if (type === 'cluster' && node.clusterDns.length === 0) {
    warnings.push({
      reason: 'MissingClusterDNS',
      message: `pod: "${pod.metadata?.name ?? ''}_${ns}(${pod.metadata?.uid ?? ''})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
    });
    type = 'host';
  }
  let servers: string[];
  let searches: string[];
  let options: string[];
  if (type === 'none') {
    [servers, searches, options] = [[], [], []];
  } else if (type === 'cluster') {
    const d = node.clusterDomain;
    servers = [...node.clusterDns];
    searches = d ? unique([`${ns}.svc.${d}`, `svc.${d}`, d, ...hostSearches]) : [...hostSearches];
    options = [...defaultOptions];
  } else {
    [servers, searches, options] = [[...host.servers], [...host.searches], [...host.options]];
  }
  const extra = spec?.dnsConfig;
  if (extra) {
    servers = unique([...servers, ...(extra.nameservers ?? [])]);
    searches = unique([...searches, ...(extra.searches ?? [])]);
    options = mergeOptions(options, extra.options ?? []);
  }
  if (servers.length > maxNameservers) {
    servers = servers.slice(0, maxNameservers);
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${servers.join(' ')}`,
    });
  }
  const fitted = fitSearches(searches);
  if (fitted.length < searches.length) {
    searches = fitted;
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}`,
    });
  }
  return { dnsConfig: { servers, searches, options }, warnings };
}
