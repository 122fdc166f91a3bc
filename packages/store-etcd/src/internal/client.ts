import { readFileSync } from 'node:fs';

import { ApiError } from '@tugboat/core';
import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  noop,
  retry,
  type IBackoff,
} from 'cockatiel';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';

import type { EtcdStoreOptions, PemSource } from '../EtcdStoreOptions.js';

/**
 * Builds the etcd3 client for a store. Every unary call gets its own gRPC deadline; recoverable
 * failures are retried on the next endpoint (fail-over), and with several endpoints a host that
 * failed three times in a row is skipped for a second (a circuit breaker), so a dead member costs
 * one failed attempt, not one per request.
 */
export function buildClient(
  options: EtcdStoreOptions,
  endpoints: readonly string[],
  requestTimeoutMs: number,
): Etcd3 {
  const several = endpoints.length > 1;
  const clientOptions: IOptions = {
    hosts: endpoints.map((e) => (options.tls ? `https://${e}` : `http://${e}`)),
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    grpcOptions: {
      // Lists of many large objects exceed gRPC's 4 MiB default; etcd itself bounds responses.
      'grpc.max_receive_message_length': -1,
      // Detects a member that vanished without closing its sockets (a partition) on open streams.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
    },
    faultHandling: {
      host: () =>
        several
          ? circuitBreaker(handleWhen(isRecoverableError), {
              halfOpenAfter: 1_000,
              breaker: new ConsecutiveBreaker(3),
            })
          : noop,
      global: retry(handleWhen(isRecoverableError), {
        maxAttempts: several ? endpoints.length : 1,
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
      }),
      // etcd3 types this as a backoff but calls it as the factory it is (`.next()` per reconnect).
      watchBackoff: new ExponentialBackoff({
        initialDelay: 100,
        maxDelay: 2_000,
      }) as unknown as IBackoff<unknown>,
    },
  };
  const credentials = tlsCredentials(options);
  if (credentials) clientOptions.credentials = credentials;
  try {
    return new Etcd3(clientOptions);
  } catch (err) {
    // gRPC parses the PEM material here, so a bad CA, certificate or key fails at construction.
    throw new ApiError(
      'BadRequest',
      `etcd client for ${endpoints.join(',')}: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
}

function tlsCredentials(options: EtcdStoreOptions): IOptions['credentials'] | undefined {
  const tls = options.tls;
  if (!tls || tls === true) return undefined;
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ApiError('BadRequest', 'etcd TLS: a client certificate needs both "cert" and "key"');
  }
  if (tls.ca === undefined && tls.cert === undefined) return undefined;
  const rootCertificate = tls.ca === undefined ? undefined : readPem(tls.ca, 'ca');
  const credentials: { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer } = {
    // grpc-js falls back to the system roots when given an empty root list.
    rootCertificate: rootCertificate ?? (null as unknown as Buffer),
  };
  if (tls.key !== undefined) credentials.privateKey = readPem(tls.key, 'key');
  if (tls.cert !== undefined) credentials.certChain = readPem(tls.cert, 'cert');
  return credentials;
}

function readPem(source: PemSource, what: string): Buffer {
  if (Buffer.isBuffer(source)) return source;
  if (source.includes('-----BEGIN')) return Buffer.from(source, 'utf8');
  try {
    return readFileSync(source);
  } catch (err) {
    throw new ApiError(
      'BadRequest',
      `etcd TLS: cannot read ${what} file "${source}": ${(err as Error).message}`,
    );
  }
}
