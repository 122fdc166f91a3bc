import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { ApiError } from '@tugboat/core';
import bcrypt from 'bcryptjs';

import { freePorts } from '../etcd/freePorts.js';
import { generateRegistryTls } from './registryTls.js';

const run = promisify(execFile);

/** Basic-auth credentials of a test registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** Options of {@link startRegistry}. */
export interface StartRegistryOptions {
  /** Require HTTP basic auth with these credentials (an htpasswd file with a bcrypt hash). */
  readonly auth?: RegistryCredentials;
  /** Serve HTTPS with a certificate from a CA generated for this registry ({@link TestRegistry.caPem}). */
  readonly tls?: boolean;
  /** The registry binary; default `$TUG_REGISTRY_BIN`, else `docker-registry` (Debian's package). */
  readonly binary?: string;
  /** How long to wait for `/v2/` to answer. Default 30 000 ms. */
  readonly startTimeoutMs?: number;
}

/** An image pushed into a test registry. */
export interface PushedImage {
  /** Fully qualified reference, `127.0.0.1:PORT/repo:tag`. */
  readonly ref: string;
  /** Digest of the manifest as the registry stores it, for `repo@digest` references. */
  readonly digest: string;
}

/** A running CNCF distribution registry on a loopback port, owned by the test that started it. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`: the registry part of image references. */
  readonly host: string;
  /** `http://127.0.0.1:PORT` or `https://…`. */
  readonly url: string;
  /** With `tls`: the CA (PEM) that signed the registry's certificate. */
  readonly caPem?: string;
  /** With `tls`: a directory holding `ca.crt`, as skopeo's `--cert-dir` and Docker's `certs.d` expect. */
  readonly certDir?: string;
  readonly auth?: RegistryCredentials;
  /** The registry's working directory (config, storage, log); removed by {@link stop}. */
  readonly dir: string;
  /**
   * Pushes an OCI image-layout tar with `skopeo copy`. `ref` is `repo:tag` inside this registry or a
   * reference that already starts with {@link host}.
   */
  pushImage(archive: string, ref: string): Promise<PushedImage>;
  /** Stops the registry and deletes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Every registry this process started and has not seen exit: killed if the test process exits first. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts Debian's `docker-registry` (the CNCF distribution registry) on a free loopback port with
 * its storage in a fresh temporary directory, optionally with basic auth and TLS, and resolves once
 * `/v2/` answers. Rejects with `Unavailable` (and the registry's log) if it does not come up.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tug-registry-'));
  try {
    return await launch(dir, options);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(dir: string, options: StartRegistryOptions): Promise<TestRegistry> {
  const [port] = await freePorts(1);
  const host = `127.0.0.1:${port ?? 0}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(path.join(dir, 'storage'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${JSON.stringify(host)}`,
  ];
  let caPem: string | undefined;
  let certDir: string | undefined;
  if (options.tls) {
    const tls = await generateRegistryTls();
    caPem = tls.caPem;
    certDir = path.join(dir, 'certs');
    await mkdir(certDir);
    await writeFile(path.join(certDir, 'ca.crt'), tls.caPem);
    await writeFile(path.join(dir, 'server.crt'), tls.certPem);
    await writeFile(path.join(dir, 'server.key'), tls.keyPem, { mode: 0o600 });
    lines.push(
      '  tls:',
      `    certificate: ${JSON.stringify(path.join(dir, 'server.crt'))}`,
      `    key: ${JSON.stringify(path.join(dir, 'server.key'))}`,
    );
  }
  if (options.auth) {
    if (options.auth.username === '' || options.auth.username.includes(':')) {
      throw new ApiError(
        'Invalid',
        `registry username ${JSON.stringify(options.auth.username)} is empty or has ":"`,
      );
    }
    const hash = await bcrypt.hash(options.auth.password, 5);
    await writeFile(path.join(dir, 'htpasswd'), `${options.auth.username}:${hash}\n`, { mode: 0o600 });
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: tugboat-test-registry',
      `    path: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    );
  }
  const config = path.join(dir, 'config.yml');
  await writeFile(config, `${lines.join('\n')}\n`);

  const logFile = path.join(dir, 'registry.log');
  const log = openSync(logFile, 'a');
  const binary = options.binary ?? process.env['TUG_REGISTRY_BIN'] ?? 'docker-registry';
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', log, log] });
  closeSync(log);
  live.add(child);
  let exited = false;
  const gone = new Promise<void>((resolve) => {
    const done = (): void => {
      exited = true;
      live.delete(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
  });
  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://${host}`;
  try {
    await waitForV2(url, caPem, options.startTimeoutMs ?? 30_000, () => exited);
  } catch (err) {
    child.kill('SIGKILL');
    await gone;
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    throw new ApiError(
      'Unavailable',
      `${(err as Error).message}; registry log:\n${tail}`,
      {},
      { cause: err },
    );
  }

  let stopped: Promise<void> | undefined;
  return {
    host,
    url,
    dir,
    ...(caPem === undefined ? {} : { caPem }),
    ...(certDir === undefined ? {} : { certDir }),
    ...(options.auth ? { auth: options.auth } : {}),
    pushImage: (archive, ref) => push({ host, dir, certDir, auth: options.auth }, archive, ref),
    stop: () => {
      stopped ??= (async () => {
        if (!exited) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await gone;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** Polls `GET /v2/` until it answers 200 or 401 (auth on), the process exits, or the deadline passes. */
async function waitForV2(
  url: string,
  caPem: string | undefined,
  timeoutMs: number,
  exited: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (exited()) throw new Error(`registry at ${url} exited before it served /v2/`);
    const status = await probe(`${url}/v2/`, caPem).catch((err: unknown) => {
      last = err instanceof Error ? err.message : String(err);
      return undefined;
    });
    if (status === 200 || status === 401) return;
    if (status !== undefined) last = `HTTP ${status}`;
    if (Date.now() > deadline)
      throw new Error(`registry at ${url} did not serve /v2/ within ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function probe(url: string, caPem: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = url.startsWith('https:')
      ? httpsRequest(url, { ca: caPem, timeout: 2_000 })
      : httpRequest(url, { timeout: 2_000 });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error('probe timed out')));
    req.once('error', reject);
    req.end();
  });
}

async function push(
  reg: { host: string; dir: string; certDir: string | undefined; auth: RegistryCredentials | undefined },
  archive: string,
  ref: string,
): Promise<PushedImage> {
  const full = ref.startsWith(`${reg.host}/`) ? ref : `${reg.host}/${ref}`;
  const digestFile = path.join(reg.dir, `digest-${process.hrtime.bigint()}`);
  const args = [
    '--insecure-policy',
    'copy',
    '--quiet',
    '--digestfile',
    digestFile,
    ...(reg.certDir ? ['--dest-cert-dir', reg.certDir] : ['--dest-tls-verify=false']),
    ...(reg.auth ? ['--dest-creds', `${reg.auth.username}:${reg.auth.password}`] : []),
    `oci-archive:${archive}`,
    `docker://${full}`,
  ];
  try {
    await run(process.env['TUG_SKOPEO_BIN'] ?? 'skopeo', args, { timeout: 120_000 });
    const digest = (await readFile(digestFile, 'utf8')).trim();
    await rm(digestFile, { force: true });
    return { ref: full, digest };
  } catch (err) {
    const stderr = ((err as { stderr?: string }).stderr ?? '').trim();
    throw new ApiError(
      'Unavailable',
      `skopeo could not push ${archive} to ${full}: ${stderr || (err as Error).message}`,
      {},
      { cause: err },
    );
  }
}
