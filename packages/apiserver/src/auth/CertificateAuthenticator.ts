import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

import { ApiError } from '@tugboat/core';

import type { Authenticator } from '../http/hooks.js';
import type { UserInfo } from '../registry/RequestContext.js';

/**
 * The client-certificate {@link Authenticator}: the TLS layer has verified the peer certificate
 * against the cluster CA (the server's `tls.ca`); the subject's CN is the user and each O a group,
 * as upstream's x509 authenticator. A certificate the CA did not sign is `Unauthorized`.
 */
export class CertificateAuthenticator implements Authenticator {
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as Partial<TLSSocket>;
    if (typeof socket.getPeerCertificate !== 'function') return Promise.resolve(undefined);
    const cert = socket.getPeerCertificate();
    // An empty object means the client sent no certificate.
    if (Object.keys(cert).length === 0) return Promise.resolve(undefined);
    if (socket.authorized !== true) {
      const why = socket.authorizationError === undefined ? 'not trusted' : String(socket.authorizationError);
      return Promise.reject(new ApiError('Unauthorized', `Unauthorized: client certificate: ${why}`));
    }
    const cn = first(cert.subject.CN);
    if (cn === undefined || cn === '') {
      return Promise.reject(
        new ApiError('Unauthorized', 'Unauthorized: client certificate has no common name'),
      );
    }
    const o = cert.subject.O;
    const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
    return Promise.resolve({ name: cn, groups });
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
