import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  CertificateSigningRequests,
  buildKubeconfig,
  kubeletClientSigner,
  kubeletServingSigner,
  nodesGroup,
} from '@tugboat/apiserver';
import { HttpApiClient, type HttpClientOptions } from '@tugboat/client';
import { ApiError, type ApiClient, type Logger } from '@tugboat/core';

import { certificateUsable, createKeyAndRequest } from './nodeCredentials.js';

/** Options of {@link bootstrapNode}. */
export interface BootstrapNodeOptions {
  readonly server: string;
  /** The bootstrap token; only needed when the data directory holds no usable certificate. */
  readonly token?: string;
  readonly caPem: string;
  readonly nodeName: string;
  /** Where `kubelet-client.{crt,key}`, `ca.crt` and `kubeconfig` are kept. */
  readonly dataDir: string;
  /** How long to wait for the request to be approved and signed (default 5 min). */
  readonly approvalTimeoutMs?: number;
  readonly logger: Logger;
  readonly progress?: (line: string) => void;
}

/** The node's credentials after bootstrapping. */
export interface NodeCredentials {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
  readonly kubeconfigPath: string;
  /** Whether the certificate was already in the data directory (no token used). */
  readonly reused: boolean;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * TLS bootstrapping of a node, as the kubelet's `--bootstrap-kubeconfig`: unless the data
 * directory already holds a client certificate for `system:node:<name>` valid for a day more,
 * creates a key, sends a CertificateSigningRequest (signer
 * `kubernetes.io/kube-apiserver-client-kubelet`, CN `system:node:<name>`, O `system:nodes`)
 * authenticated with the bootstrap token, waits until it is approved and signed, and writes the
 * key, the certificate and a kubeconfig into the data directory. A denied or failed request, or
 * none signed in time, is an ApiError saying so.
 */
export async function bootstrapNode(options: BootstrapNodeOptions): Promise<NodeCredentials> {
  const { dataDir, nodeName } = options;
  const say = options.progress ?? ((): void => undefined);
  const user = `system:node:${nodeName}`;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const files = {
    cert: join(dataDir, 'kubelet-client.crt'),
    key: join(dataDir, 'kubelet-client.key'),
    ca: join(dataDir, 'ca.crt'),
    kubeconfig: join(dataDir, 'kubeconfig'),
  };
  writeFileSync(files.ca, options.caPem, { mode: 0o644 });
  if (existsSync(files.cert) && existsSync(files.key)) {
    const certPem = readFileSync(files.cert, 'utf8');
    if (certificateUsable(certPem, user, dayMs)) {
      say(`bootstrap: reusing the client certificate in ${files.cert}`);
      return {
        certPem,
        keyPem: readFileSync(files.key, 'utf8'),
        caPem: options.caPem,
        kubeconfigPath: files.kubeconfig,
        reused: true,
      };
    }
  }
  if (options.token === undefined)
    throw new ApiError(
      'BadRequest',
      `${dataDir} holds no usable client certificate for ${user}: pass --token (create one with \`tug token create\`)`,
    );
  const client = new HttpApiClient({
    server: options.server,
    ca: options.caPem,
    token: options.token,
    timeoutMs: 15_000,
  });
  try {
    const { keyPem, requestPem } = await createKeyAndRequest(user, nodesGroup);
    say(`bootstrap: requesting a client certificate for ${user}`);
    const certPem = await requestCertificate(client, {
      name: `node-csr-${nodeName}-${randomBytes(4).toString('hex')}`,
      requestPem,
      signerName: kubeletClientSigner,
      usages: ['digital signature', 'client auth'],
      timeoutMs: options.approvalTimeoutMs ?? 5 * 60_000,
    });
    writeFileSync(files.key, keyPem, { mode: 0o600 });
    writeFileSync(files.cert, certPem, { mode: 0o644 });
    writeFileSync(
      files.kubeconfig,
      buildKubeconfig({
        server: options.server,
        caPem: options.caPem,
        credentials: { certPem, keyPem },
        user,
      }),
      { mode: 0o600 },
    );
    say(`bootstrap: certificate issued; kubeconfig at ${files.kubeconfig}`);
    return { certPem, keyPem, caPem: options.caPem, kubeconfigPath: files.kubeconfig, reused: false };
  } catch (err) {
    if (ApiError.is(err, 'Unauthorized'))
      throw new ApiError(
        'Unauthorized',
        `the API server at ${options.server} refused the token: it is unknown, expired or not for authentication (create one with \`tug token create\`)`,
      );
    throw err;
  } finally {
    client.close();
  }
}

/** Options of {@link requestCertificate}. */
export interface CertificateRequest {
  readonly name: string;
  readonly requestPem: string;
  readonly signerName: string;
  readonly usages: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Creates a CertificateSigningRequest and polls it until its certificate is issued (resolves the
 * PEM), it is denied or fails (`Forbidden` / `Internal` with the reason), or `timeoutMs` passes
 * (`Timeout`, naming the request so an administrator can approve it).
 */
export async function requestCertificate(client: ApiClient, request: CertificateRequest): Promise<string> {
  await client.create(CertificateSigningRequests, {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: request.name },
    spec: {
      request: Buffer.from(request.requestPem).toString('base64'),
      signerName: request.signerName,
      usages: [...request.usages],
    },
  });
  const deadline = Date.now() + request.timeoutMs;
  for (;;) {
    const csr = await client.get(CertificateSigningRequests, request.name);
    const condition = (type: string) =>
      csr.status?.conditions?.find((c) => c.type === type && c.status === 'True');
    const denied = condition('Denied');
    if (denied !== undefined)
      throw new ApiError(
        'Forbidden',
        `certificate request ${request.name} was denied: ${denied.message ?? denied.reason ?? ''}`,
      );
    const failed = condition('Failed');
    if (failed !== undefined)
      throw new ApiError(
        'Internal',
        `certificate request ${request.name} failed: ${failed.message ?? failed.reason ?? ''}`,
      );
    const issued = csr.status?.certificate;
    if (issued !== undefined && issued !== '') return Buffer.from(issued, 'base64').toString('utf8');
    if (Date.now() > deadline)
      throw new ApiError(
        'Timeout',
        `certificate request ${request.name} was not signed within ${Math.round(request.timeoutMs / 1000)} s: approve it with \`kubectl certificate approve ${request.name}\`, or check that a control plane runs the csrsigning controller`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Client options of a node acting as itself with its issued credentials. */
export function nodeClientOptions(server: string, creds: NodeCredentials): HttpClientOptions {
  return { server, ca: creds.caPem, cert: creds.certPem, key: creds.keyPem };
}

/** Requests the kubelet's serving certificate (signer `kubernetes.io/kubelet-serving`) as the node itself. */
export async function requestServingCertificate(
  client: ApiClient,
  nodeName: string,
  sans: readonly string[],
  timeoutMs: number,
): Promise<{ certPem: string; keyPem: string }> {
  const { keyPem, requestPem } = await createKeyAndRequest(`system:node:${nodeName}`, nodesGroup, sans);
  const certPem = await requestCertificate(client, {
    name: `node-serving-${nodeName}-${randomBytes(4).toString('hex')}`,
    requestPem,
    signerName: kubeletServingSigner,
    usages: ['digital signature', 'server auth'],
    timeoutMs,
  });
  return { certPem, keyPem };
}
