import type { RequestOptions } from 'node:https';

import { ApiError, type corev1 } from '@tugboat/core';

/** Where a node's kubelet listens: the node's preferred address and its daemon endpoint port. */
export interface KubeletAddress {
  readonly host: string;
  readonly port: number;
}

/** The client side of the apiserver → kubelet TLS connection (upstream's `--kubelet-*` flags). */
export interface KubeletClientTls {
  /** Client certificate and key (PEM) signed by the CA the kubelets trust for clients. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** CA of the kubelets' serving certificates; without it they are not verified, as upstream. */
  readonly kubeletCaPem?: string;
  /** Skip verifying kubelets' serving certificates even when a CA is given. */
  readonly insecureSkipVerify?: boolean;
}

const defaultKubeletPort = 10250;

/**
 * The kubelet address of a node, as upstream's apiserver picks it: InternalIP, then Hostname,
 * then ExternalIP, on `status.daemonEndpoints.kubeletEndpoint.Port` (10250 when unset).
 * `Unavailable` when the node reports no address.
 */
export function kubeletAddress(node: corev1.Node): KubeletAddress {
  const addresses = node.status?.addresses ?? [];
  const host = ['InternalIP', 'Hostname', 'ExternalIP']
    .map((type) => addresses.find((a) => a.type === type)?.address)
    .find((a) => a !== undefined && a !== '');
  if (host === undefined) {
    throw new ApiError(
      'Unavailable',
      `no preferred addresses found for node "${node.metadata?.name ?? ''}"; known addresses: []`,
    );
  }
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || defaultKubeletPort };
}

/** The `https.request` options that present the client certificate and verify the kubelet. */
export function kubeletTlsOptions(
  tls: KubeletClientTls,
): Pick<RequestOptions, 'cert' | 'key' | 'ca' | 'rejectUnauthorized'> {
  return {
    cert: tls.clientCertPem,
    key: tls.clientKeyPem,
    ...(tls.kubeletCaPem !== undefined ? { ca: tls.kubeletCaPem } : {}),
    rejectUnauthorized: tls.kubeletCaPem !== undefined && tls.insecureSkipVerify !== true,
  };
}
