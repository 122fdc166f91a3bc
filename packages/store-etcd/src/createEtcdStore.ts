import { ApiError } from '@tugboat/core';

import { EtcdStore } from './EtcdStore.js';
import type { EtcdStoreOptions, EtcdTlsOptions } from './EtcdStoreOptions.js';

/** Options for {@link createEtcdStore}: everything but the endpoints, which the URL gives, plus TLS files. */
export type EtcdUrlOptions = Omit<EtcdStoreOptions, 'endpoints' | 'tls'> & EtcdTlsOptions;

/**
 * Parses an etcd store URL: `etcd://host:port[,host:port…][/prefix]`, or `etcds://…` for TLS. The port
 * defaults to 2379; an IPv6 host is written in brackets. A path, when present, is the key prefix.
 */
export function parseEtcdUrl(url: string): { endpoints: string[]; tls: boolean; prefix?: string } {
  const match = /^(etcds?):\/\/([^/]+)(\/.*)?$/.exec(url.trim());
  if (!match)
    throw new ApiError(
      'BadRequest',
      `not an etcd URL: "${url}" (expected etcd://host:port[,host:port…] or etcds://…)`,
    );
  const endpoints = (match[2] ?? '').split(',').map((raw) => {
    const host = raw.trim();
    const parts = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(host);
    const name = parts?.[1];
    const port = parts?.[2] === undefined ? 2379 : Number(parts[2]);
    if (name === undefined || port < 1 || port > 65535)
      throw new ApiError('BadRequest', `bad etcd endpoint "${host}" in "${url}"`);
    return `${name}:${port}`;
  });
  const parsed: { endpoints: string[]; tls: boolean; prefix?: string } = {
    endpoints,
    tls: match[1] === 'etcds',
  };
  if (match[3] !== undefined && match[3] !== '/') parsed.prefix = match[3];
  return parsed;
}

/**
 * Creates an {@link EtcdStore} from a URL (see {@link parseEtcdUrl}) and checks that etcd answers:
 * `await createEtcdStore('etcd://10.0.0.1:2379,10.0.0.2:2379')`. For `etcds://`, `ca`, `cert` and
 * `key` are PEM text, PEM file paths or bytes. An explicit `prefix` option wins over the URL path.
 */
export async function createEtcdStore(url: string, options: EtcdUrlOptions = {}): Promise<EtcdStore> {
  return EtcdStore.connect(etcdStoreOptions(url, options));
}

/** The {@link EtcdStoreOptions} a URL and its options stand for (no I/O). */
export function etcdStoreOptions(url: string, options: EtcdUrlOptions = {}): EtcdStoreOptions {
  const { ca, cert, key, ...rest } = options;
  const parsed = parseEtcdUrl(url);
  if (!parsed.tls && (ca !== undefined || cert !== undefined || key !== undefined)) {
    throw new ApiError('BadRequest', `TLS options given for a plain-text URL "${url}": use etcds://`);
  }
  const tls: EtcdTlsOptions = {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
  const prefix = rest.prefix ?? parsed.prefix;
  return {
    ...rest,
    endpoints: parsed.endpoints,
    ...(parsed.tls ? { tls } : {}),
    ...(prefix === undefined ? {} : { prefix }),
  };
}
