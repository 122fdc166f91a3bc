import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ApiError } from '@tugboat/core';

/** A mirror tried before a registry's own server. */
export interface RegistryMirror {
  /** Base URL of the mirror, `http(s)://host[:port]` (containerd appends `/v2`). */
  readonly url: string;
  /** CA (PEM) the mirror's certificate must chain to. */
  readonly caPem?: string;
  /** Accept any certificate from the mirror (an insecure registry). */
  readonly skipVerify?: boolean;
}

/**
 * How containerd reaches one registry host: containerd's `hosts.toml`, the part Tugboat uses. A
 * plain-HTTP `server` is how an insecure registry is declared.
 */
export interface RegistryHostConfig {
  /** Base URL of the registry, `http(s)://host[:port]`. Default `https://<host>`. */
  readonly server?: string;
  /** CA (PEM) the server's certificate must chain to; written beside `hosts.toml` as `ca.crt`. */
  readonly caPem?: string;
  /** Accept any certificate from the server (an insecure registry). */
  readonly skipVerify?: boolean;
  /** Mirrors tried in order before the server, for pulls and resolves. */
  readonly mirrors?: readonly RegistryMirror[];
}

const hostPattern = /^(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/**
 * Writes `<configPath>/<host>/hosts.toml` (and the CA files it names) for containerd's CRI, whose
 * registry `config_path` must be `configPath`. containerd reads the directory on every pull, so a
 * change applies to the next pull without a restart. Each file is replaced atomically. Bad input
 * (a host or URL that does not parse) is `Invalid`, and nothing is written.
 */
export async function writeRegistryHosts(
  configPath: string,
  host: string,
  config: RegistryHostConfig,
): Promise<string> {
  if (!hostPattern.test(host)) throw invalid(`registry host ${JSON.stringify(host)} is not host[:port]`);
  const server = checkUrl(config.server ?? `https://${host}`, 'server');
  const mirrors = (config.mirrors ?? []).map((m) => ({ ...m, url: checkUrl(m.url, 'mirror') }));
  const dir = path.join(configPath, host);
  try {
    await mkdir(dir, { recursive: true });
    const lines = [`server = ${JSON.stringify(server)}`];
    const hosts = [
      ...mirrors.map((m, i) => ({ ...m, caFile: `mirror-${i}-ca.crt` })),
      { url: server, caPem: config.caPem, skipVerify: config.skipVerify, caFile: 'ca.crt' },
    ];
    // containerd 1.6 rejects a hosts.toml without any `[host]` table ("invalid `host` tree") and then
    // silently uses its defaults, so the server is listed as the last host as well as at the root.
    for (const h of hosts) {
      lines.push('', `[host.${JSON.stringify(h.url)}]`, '  capabilities = ["pull", "resolve"]');
      if (h.caPem !== undefined) lines.push(`  ca = ${JSON.stringify(await put(dir, h.caFile, h.caPem))}`);
      if (h.skipVerify) lines.push('  skip_verify = true');
    }
    return await put(dir, 'hosts.toml', `${lines.join('\n')}\n`);
  } catch (err) {
    throw new ApiError(
      'Internal',
      `cannot write registry config for ${host} under ${configPath}: ${String(err)}`,
      {},
      { cause: err },
    );
  }
}

function invalid(message: string): ApiError {
  return new ApiError('Invalid', message, {
    kind: 'RegistryHostConfig',
    causes: [{ reason: 'FieldValueInvalid', message }],
  });
}

function checkUrl(raw: string, what: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalid(`registry ${what} ${JSON.stringify(raw)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw invalid(`registry ${what} ${JSON.stringify(raw)} must be http:// or https://`);
  }
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

/** Writes one file atomically (containerd may read it mid-write otherwise); returns its path. */
async function put(dir: string, name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
  return file;
}
