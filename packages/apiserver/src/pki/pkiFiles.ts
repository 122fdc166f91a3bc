import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ApiError } from '@tugboat/core';

/** A certificate read from disk: its PEM text, parsed form and private key. */
export interface LoadedPair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: X509Certificate;
  readonly key: KeyObject;
}

/**
 * Reads and writes the PEM files of the cluster PKI in one directory. Reading never repairs: a
 * corrupt, half-present or mismatched file is an `Internal` ApiError naming the file, so an
 * operator decides what to regenerate rather than clients silently losing trust.
 */
export class PkiFiles {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The path of a file in the directory. */
  path(file: string): string {
    return join(this.dir, file);
  }

  /** Loads a certificate and its key; `undefined` when neither file exists. */
  loadPair(certFile: string, keyFile: string): LoadedPair | undefined {
    const certPem = this.read(certFile);
    const keyPem = this.read(keyFile);
    if (certPem === undefined && keyPem === undefined) return undefined;
    if (certPem === undefined) throw this.broken(certFile, `is missing while ${keyFile} exists`);
    if (keyPem === undefined) throw this.broken(keyFile, `is missing while ${certFile} exists`);
    const cert = this.parse(certFile, () => new X509Certificate(certPem), 'a PEM certificate');
    const key = this.parse(keyFile, () => createPrivateKey(keyPem), 'a PEM private key');
    if (!cert.checkPrivateKey(key))
      throw this.broken(keyFile, `does not match the certificate in ${certFile}`);
    return { certPem, keyPem, cert, key };
  }

  /** Loads a key pair (private and public PEM); `undefined` when neither file exists. */
  loadKeyPair(
    privateFile: string,
    publicFile: string,
  ): { privatePem: string; publicPem: string } | undefined {
    const privatePem = this.read(privateFile);
    const publicPem = this.read(publicFile);
    if (privatePem === undefined && publicPem === undefined) return undefined;
    if (privatePem === undefined) throw this.broken(privateFile, `is missing while ${publicFile} exists`);
    if (publicPem === undefined) throw this.broken(publicFile, `is missing while ${privateFile} exists`);
    const priv = this.parse(privateFile, () => createPrivateKey(privatePem), 'a PEM private key');
    const pub = this.parse(publicFile, () => createPublicKey(publicPem), 'a PEM public key');
    const derived = createPublicKey(priv).export({ type: 'spki', format: 'der' });
    if (!derived.equals(pub.export({ type: 'spki', format: 'der' }))) {
      throw this.broken(publicFile, `is not the public half of ${privateFile}`);
    }
    return { privatePem, publicPem };
  }

  /** Checks that `pair` was signed by the CA; a leaf from another CA is never replaced silently. */
  checkSignedBy(pair: LoadedPair, certFile: string, ca: LoadedPair): void {
    if (!pair.cert.verify(ca.cert.publicKey)) {
      throw this.broken(certFile, 'was not signed by the cluster CA in ca.crt');
    }
  }

  /** Writes a file atomically (temporary file, then rename); keys are readable by the owner only. */
  write(file: string, content: string, secret: boolean): void {
    const target = this.path(file);
    const tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, content, { mode: secret ? 0o600 : 0o644 });
    renameSync(tmp, target);
  }

  private read(file: string): string | undefined {
    const p = this.path(file);
    if (!existsSync(p)) return undefined;
    try {
      return readFileSync(p, 'utf8');
    } catch (err) {
      throw this.broken(file, `cannot be read (${(err as Error).message})`);
    }
  }

  private parse<T>(file: string, fn: () => T, what: string): T {
    try {
      return fn();
    } catch {
      throw this.broken(file, `is not ${what}`);
    }
  }

  private broken(file: string, why: string): ApiError {
    return new ApiError(
      'Internal',
      `pki: ${this.path(file)} ${why}; restore it, or remove ${this.dir} to generate a new cluster PKI (every client then needs new credentials)`,
    );
  }
}
