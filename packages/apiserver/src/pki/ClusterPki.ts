import type { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';

import { silentLogger, type Logger } from '@tugboat/core';

import {
  createCaCertificate,
  generateKeyPairPem,
  issueCertificate,
  type CertificateAndKey,
} from './certificates.js';
import { PkiFiles, type LoadedPair } from './pkiFiles.js';

/** Options of {@link ClusterPki.loadOrCreate}. */
export interface PkiOptions {
  /** The directory holding the PEM files (`<data-dir>/pki`). */
  readonly dir: string;
  /** Names and IPs the serving certificate must also cover, besides the defaults. */
  readonly extraSans?: readonly string[];
  readonly logger?: Logger;
}

/** The user and groups of the admin client certificate, as kubeadm's `admin.conf`. */
export const adminIdentity = { user: 'kubernetes-admin', groups: ['system:masters'] } as const;

/** The user and groups of the apiserver's client certificate towards kubelets, as kubeadm's. */
export const kubeletClientIdentity = {
  user: 'kube-apiserver-kubelet-client',
  groups: ['system:masters'],
} as const;

/** The names every apiserver serving certificate covers (plus the host name and extra SANs). */
export const defaultSans: readonly string[] = [
  '127.0.0.1',
  '::1',
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

const caDays = 3650;
const leafDays = 365;
// A leaf this close to expiry is reissued at start, so a cluster restarted now and then never lapses.
const renewBeforeMs = 30 * 24 * 60 * 60 * 1000;

/**
 * The cluster's public-key infrastructure, generated into a directory once and reused on every
 * restart: the cluster CA, the apiserver serving certificate, the admin client certificate and
 * the ServiceAccount token signing key pair. Leaves near expiry or missing a wanted SAN are
 * reissued by the same CA; anything corrupt or mismatched is an error, never overwritten.
 */
export class ClusterPki {
  private constructor(
    private readonly files: PkiFiles,
    /** The cluster CA (its key signs every other certificate). */
    readonly ca: CertificateAndKey,
    /** The apiserver serving certificate. */
    readonly serving: CertificateAndKey,
    /** The admin client certificate (CN=kubernetes-admin, O=system:masters). */
    readonly admin: CertificateAndKey,
    /** The ServiceAccount token signing key pair (ES256, PKCS#8 and SPKI PEM). */
    readonly serviceAccountKey: { readonly privatePem: string; readonly publicPem: string },
    /**
     * The client certificate the apiserver presents to kubelets (logs, exec), as kubeadm's
     * `apiserver-kubelet-client`: CN=kube-apiserver-kubelet-client, O=system:masters.
     */
    readonly kubeletClient: CertificateAndKey,
  ) {}

  /** The directory the PEM files live in. */
  get dir(): string {
    return this.files.dir;
  }

  /** Loads the PKI from `options.dir`, generating what does not exist yet. */
  static async loadOrCreate(options: PkiOptions): Promise<ClusterPki> {
    const log = (options.logger ?? silentLogger).child({ component: 'pki' });
    const files = new PkiFiles(options.dir);
    let caPair = files.loadPair('ca.crt', 'ca.key');
    if (caPair === undefined) {
      const ca = await createCaCertificate('kubernetes', caDays);
      files.write('ca.key', ca.keyPem, true);
      files.write('ca.crt', ca.certPem, false);
      log.info('generated the cluster CA', { dir: files.dir });
      caPair = files.loadPair('ca.crt', 'ca.key');
    }
    const loadedCa = caPair as LoadedPair;
    const ca = { certPem: loadedCa.certPem, keyPem: loadedCa.keyPem };
    const sans = [...new Set([...defaultSans, hostname(), ...(options.extraSans ?? [])])].filter(
      (s) => s !== '',
    );
    const serving = await leaf(
      files,
      loadedCa,
      'apiserver',
      log,
      (cert) => sans.every((san) => covers(cert, san)),
      {
        usage: 'server',
        commonName: 'kube-apiserver',
        sans,
        days: leafDays,
      },
    );
    const admin = await leaf(files, loadedCa, 'admin', log, () => true, {
      usage: 'client',
      commonName: adminIdentity.user,
      organizations: adminIdentity.groups,
      days: leafDays,
    });
    const kubeletClient = await leaf(files, loadedCa, 'apiserver-kubelet-client', log, () => true, {
      usage: 'client',
      commonName: kubeletClientIdentity.user,
      organizations: kubeletClientIdentity.groups,
      days: leafDays,
    });
    let saKey = files.loadKeyPair('sa.key', 'sa.pub');
    if (saKey === undefined) {
      const generated = await generateKeyPairPem();
      files.write('sa.key', generated.privatePem, true);
      files.write('sa.pub', generated.publicPem, false);
      log.info('generated the ServiceAccount signing key', { dir: files.dir });
      saKey = generated;
    }
    return new ClusterPki(files, ca, serving, admin, saKey, kubeletClient);
  }

  /**
   * The serving certificate of the kubelet of node `nodeName` (CN=system:node:<name>) covering
   * `sans`, signed by the cluster CA and kept as `kubelet-<name>.crt` beside the others; reissued
   * when it nears expiry or misses a name.
   */
  kubeletServing(nodeName: string, sans: readonly string[]): Promise<CertificateAndKey> {
    const ca = this.files.loadPair('ca.crt', 'ca.key') as LoadedPair;
    const names = [...new Set(sans)].filter((s) => s !== '');
    return leaf(
      this.files,
      ca,
      `kubelet-${nodeName}`,
      silentLogger,
      (cert) => names.every((san) => covers(cert, san)),
      { usage: 'server', commonName: `system:node:${nodeName}`, sans: names, days: leafDays },
    );
  }

  /** Issues a client certificate for `user` in `groups` (CN and O), signed by the cluster CA. */
  issueClientCertificate(
    user: string,
    groups: readonly string[],
    days = leafDays,
  ): Promise<CertificateAndKey> {
    return issueCertificate(this.ca, { usage: 'client', commonName: user, organizations: groups, days });
  }
}

async function leaf(
  files: PkiFiles,
  ca: LoadedPair,
  name: string,
  log: Logger,
  fits: (cert: X509Certificate) => boolean,
  request: Parameters<typeof issueCertificate>[1],
): Promise<CertificateAndKey> {
  const certFile = `${name}.crt`;
  const keyFile = `${name}.key`;
  const existing = files.loadPair(certFile, keyFile);
  if (existing !== undefined) {
    files.checkSignedBy(existing, certFile, ca);
    const fresh = new Date(existing.cert.validTo).getTime() - Date.now() > renewBeforeMs;
    if (fresh && fits(existing.cert)) return { certPem: existing.certPem, keyPem: existing.keyPem };
    log.info('reissuing a certificate', {
      file: files.path(certFile),
      reason: fresh ? 'names changed' : 'expires soon',
    });
  }
  const issued = await issueCertificate({ certPem: ca.certPem, keyPem: ca.keyPem }, request);
  files.write(keyFile, issued.keyPem, true);
  files.write(certFile, issued.certPem, false);
  return issued;
}

function covers(cert: X509Certificate, san: string): boolean {
  return /^[0-9.]+$/.test(san) || san.includes(':')
    ? cert.checkIP(san) !== undefined
    : cert.checkHost(san) !== undefined;
}
