import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

import { ApiError } from '@tugboat/core';
import { parse } from 'yaml';

import type { HttpClientOptions } from './HttpClientOptions.js';

interface Named<T> {
  readonly name?: string;
  readonly [key: string]: unknown;
  readonly value?: T;
}

/** Options of {@link loadKubeconfig}. */
export interface LoadKubeconfigOptions {
  /** The context to use instead of `current-context`. */
  readonly context?: string;
}

/**
 * Reads a kubeconfig file and returns the client options of its current context (or the one
 * named): server, certificate authority, client certificate and key, token, and
 * insecure-skip-tls-verify. File references resolve relative to the kubeconfig's directory, as
 * kubectl resolves them. A missing or malformed file, or a dangling reference, is a `BadRequest`.
 */
export function loadKubeconfig(path: string, options: LoadKubeconfigOptions = {}): HttpClientOptions {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new ApiError('BadRequest', `kubeconfig ${path}: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  if (typeof doc !== 'object' || doc === null)
    throw new ApiError('BadRequest', `kubeconfig ${path}: not a YAML mapping`);
  const config = doc as Record<string, unknown>;
  const base = dirname(resolve(path));
  const contextName = options.context ?? (config['current-context'] as string | undefined);
  if (!contextName) throw new ApiError('BadRequest', `kubeconfig ${path}: no current-context`);
  const context = pick(config, 'contexts', 'context', contextName, path);
  const cluster = pick(
    config,
    'clusters',
    'cluster',
    typeof context['cluster'] === 'string' ? context['cluster'] : '',
    path,
  );
  const user =
    typeof context['user'] === 'string' ? pick(config, 'users', 'user', context['user'], path) : {};
  const server = cluster['server'];
  if (typeof server !== 'string' || server === '')
    throw new ApiError('BadRequest', `kubeconfig ${path}: cluster has no server`);
  const file = (key: string, from: Record<string, unknown>): Buffer | undefined => {
    const data = from[`${key}-data`];
    if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
    const ref = from[key];
    if (typeof ref !== 'string' || ref === '') return undefined;
    const full = isAbsolute(ref) ? ref : resolve(base, ref);
    try {
      return readFileSync(full);
    } catch (err) {
      throw new ApiError(
        'BadRequest',
        `kubeconfig ${path}: reading ${key} ${full}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  };
  const ca = file('certificate-authority', cluster);
  const cert = file('client-certificate', user);
  const key = file('client-key', user);
  let token = typeof user['token'] === 'string' ? user['token'] : undefined;
  const tokenFile = user['tokenFile'];
  if (token === undefined && typeof tokenFile === 'string')
    token = file('tokenFile', user)?.toString().trim();
  return {
    server,
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
    ...(typeof cluster['tls-server-name'] === 'string' ? { tlsServerName: cluster['tls-server-name'] } : {}),
    ...(typeof context['namespace'] === 'string' ? { namespace: context['namespace'] } : {}),
  };
}

function pick(
  config: Record<string, unknown>,
  list: string,
  field: string,
  name: string,
  path: string,
): Record<string, unknown> {
  const entries = config[list];
  const entry = Array.isArray(entries)
    ? (entries as unknown[]).find(
        (e): e is Named<unknown> =>
          typeof e === 'object' && e !== null && (e as Named<unknown>).name === name,
      )
    : undefined;
  const value = entry?.[field];
  if (typeof value !== 'object' || value === null) {
    throw new ApiError('BadRequest', `kubeconfig ${path}: ${field} ${JSON.stringify(name)} not found`);
  }
  return value as Record<string, unknown>;
}
