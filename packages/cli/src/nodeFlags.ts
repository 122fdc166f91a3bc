import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { caCertHash } from './caCertHash.js';
import { runtimeChoices, type RuntimeChoice } from './runtimeChoice.js';

/** The `tug node` usage text. */
export const nodeUsage = `usage: tug node --server URL --token TOKEN [--discovery-token-ca-cert-hash sha256:HEX]... [--ca-cert FILE]
              [--node-name NAME] [--data-dir DIR] [--runtime auto|containerd|docker|fake]
              [--containerd-socket PATH] [--docker-socket PATH] [--kubelet-port PORT] [--address ADDR]
              [--proxy all|node-ports|off]

  Joins this machine to a cluster as a node and runs its kubelet and its proxy: with a bootstrap
  token (from \`tug token create\`) it asks for a client certificate through the
  CertificateSigningRequest API, waits for approval, keeps the certificate in DIR and from then on
  acts as system:node:NAME. Without --ca-cert it learns the cluster CA from kube-public/cluster-info,
  trusting it only if the token's signature on it verifies (and the CA matches the pinned hash).

  --server URL          the API server (https://HOST:PORT), or a load balancer in front of several
  --token TOKEN         a bootstrap token <id>.<secret>; not needed once DIR holds a certificate
  --discovery-token-ca-cert-hash sha256:HEX
                        pin the cluster CA's public key (repeatable; \`tug token create
                        --print-join-command\` prints it)
  --ca-cert FILE        the cluster CA (a control plane's DIR/pki/ca.crt) instead of token discovery;
                        not needed once DIR holds it
  --node-name NAME      the node's name (default the host name, lowercased)
  --data-dir DIR        the node's certificates, kubeconfig and kubelet files (default .tug-node)
  --runtime NAME        auto (containerd, then Docker, then the simulation), containerd, docker or fake
  --kubelet-port PORT   HTTPS port of the kubelet (default 10250; 0 picks a free one)
  --address ADDR        the node's IPv4 address, where the kubelet and NodePorts listen (default 127.0.0.1)
  --proxy MODE          all (default): Service cluster IPs and NodePorts; node-ports: only NodePorts
                        (a second node on a machine whose cluster IPs another proxy serves); off`;

/** What the node's proxy serves. */
export type ProxyMode = 'all' | 'node-ports' | 'off';
const proxyModes: readonly ProxyMode[] = ['all', 'node-ports', 'off'];

/** The parsed flags of `tug node`. */
export interface NodeFlags {
  readonly server: string;
  readonly token?: string;
  /** The cluster CA; absent: discover it with the token. */
  readonly caPem?: string;
  /** `sha256:<hex>` pins of the CA's public key for token discovery. */
  readonly caCertHashes: readonly string[];
  readonly nodeName: string;
  readonly dataDir: string;
  readonly runtime: RuntimeChoice;
  readonly containerdSocket?: string;
  readonly dockerSocket?: string;
  readonly kubeletPort: number;
  readonly address: string;
  readonly proxy: ProxyMode;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses `tug node` flags (reading the CA file); a string is the one-line complaint about bad flags. */
export function parseNode(args: string[]): NodeFlags | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        'ca-cert': { type: 'string' },
        'node-name': { type: 'string' },
        'data-dir': { type: 'string' },
        runtime: { type: 'string' },
        'containerd-socket': { type: 'string' },
        'docker-socket': { type: 'string' },
        'kubelet-port': { type: 'string' },
        address: { type: 'string' },
        'discovery-token-ca-cert-hash': { type: 'string', multiple: true },
        proxy: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return (err as Error).message;
  }
  const server = values.server;
  if (server === undefined) return '--server is required (the API server, https://HOST:PORT)';
  try {
    const url = new URL(server);
    if (url.protocol !== 'https:') return `--server must be an https:// URL, got "${server}"`;
  } catch {
    return `--server must be a URL such as https://10.0.0.1:6443, got "${server}"`;
  }
  const dataDir = resolve(values['data-dir'] ?? '.tug-node');
  const token = values.token;
  if (token !== undefined && !/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(token))
    return '--token must be a bootstrap token <6 chars>.<16 chars> of a-z and 0-9, as `tug token create` prints';
  if (token === undefined && !existsSync(join(dataDir, 'kubelet-client.crt')))
    return `--token is required: ${dataDir} holds no client certificate yet (create a token with \`tug token create\`)`;
  const caCertHashes = (values['discovery-token-ca-cert-hash'] ?? []).map((h) => h.toLowerCase());
  const badHash = caCertHashes.find((h) => !/^sha256:[0-9a-f]{64}$/.test(h));
  if (badHash !== undefined)
    return `--discovery-token-ca-cert-hash must be sha256:<64 hex digits>, got "${badHash}"`;
  const caFile = values['ca-cert'] ?? join(dataDir, 'ca.crt');
  let caPem: string | undefined;
  if (values['ca-cert'] !== undefined || existsSync(caFile)) {
    try {
      caPem = readFileSync(caFile, 'utf8');
    } catch {
      return `--ca-cert: cannot read ${caFile}`;
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----'))
      return `--ca-cert: ${caFile} holds no PEM certificate`;
    if (caCertHashes.length > 0) {
      let hash: string;
      try {
        hash = caCertHash(caPem);
      } catch {
        return `--ca-cert: ${caFile} holds no readable certificate`;
      }
      if (!caCertHashes.includes(hash))
        return `--ca-cert: ${caFile} has public key hash ${hash}, which matches no --discovery-token-ca-cert-hash`;
    }
  } else if (token === undefined) {
    return `--ca-cert or --token is required: ${dataDir} holds no ca.crt yet`;
  }
  const proxy = values.proxy ?? 'all';
  if (!(proxyModes as readonly string[]).includes(proxy))
    return `--proxy must be one of ${proxyModes.join(', ')}, got "${proxy}"`;
  const nodeName = values['node-name'] ?? hostname().toLowerCase();
  if (nodeName.length > 253 || !dns1123Subdomain.test(nodeName))
    return `--node-name must be a lowercase DNS name (a-z, 0-9, '-', '.'), got "${nodeName}"`;
  const runtime = values.runtime ?? 'auto';
  if (!(runtimeChoices as readonly string[]).includes(runtime))
    return `--runtime must be one of ${runtimeChoices.join(', ')}, got "${runtime}"`;
  const rawPort = values['kubelet-port'] ?? '10250';
  const kubeletPort = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(kubeletPort >= 0 && kubeletPort <= 65535))
    return `--kubelet-port must be a number from 0 to 65535, got "${rawPort}"`;
  const address = values.address ?? '127.0.0.1';
  if (isIP(address) !== 4) return `--address must be an IPv4 address, got "${address}"`;
  return {
    server: server.replace(/\/+$/, ''),
    ...(token !== undefined ? { token } : {}),
    ...(caPem !== undefined ? { caPem } : {}),
    caCertHashes,
    nodeName,
    dataDir,
    runtime: runtime as RuntimeChoice,
    ...(values['containerd-socket'] !== undefined ? { containerdSocket: values['containerd-socket'] } : {}),
    ...(values['docker-socket'] !== undefined ? { dockerSocket: values['docker-socket'] } : {}),
    kubeletPort,
    address,
    proxy: proxy as ProxyMode,
  };
}
