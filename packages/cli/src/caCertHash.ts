import { createHash, X509Certificate } from 'node:crypto';

/**
 * kubeadm's CA pin: `sha256:` and the hex SHA-256 of the CA certificate's DER
 * SubjectPublicKeyInfo, as `--discovery-token-ca-cert-hash` takes it. Throws on a PEM that holds
 * no certificate.
 */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
