import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The `tug` usage text. */
export const usage = `usage: tug up [--port PORT] [--data-dir DIR] [--host ADDR] [--tls-san NAME]... [--anonymous-auth]

  up    start the control plane (store, registry, HTTPS API server) until Ctrl-C or SIGTERM

  --port PORT       HTTPS port of the API server (default 6443; 0 picks a free one)
  --data-dir DIR    where the store, the PKI and the admin kubeconfig live (default .tug)
  --host ADDR       address to listen on (default 127.0.0.1)
  --tls-san NAME    extra DNS name or IP for the serving certificate (repeatable)
  --anonymous-auth  serve requests without credentials as system:anonymous instead of 401`;

/** The parsed flags of `tug up`. */
export interface UpFlags {
  readonly port: number;
  readonly dataDir: string;
  readonly host: string;
  readonly sans: readonly string[];
  readonly anonymous: boolean;
}

/** Parses `tug up` flags; a string is the one-line complaint about bad flags. */
export function parseUp(args: string[]): UpFlags | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        'tls-san': { type: 'string', multiple: true },
        'anonymous-auth': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return (err as Error).message;
  }
  const rawPort = values.port ?? '6443';
  const port = /^\d+$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!Number.isInteger(port) || port > 65535)
    return `--port must be a number from 0 to 65535, got "${rawPort}"`;
  const dataDir = values['data-dir'] ?? '.tug';
  if (dataDir.trim() === '') return '--data-dir must not be empty';
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') return '--host must not be empty';
  const sans = values['tls-san'] ?? [];
  if (sans.some((s) => s.trim() === '' || /[\s,]/.test(s)))
    return '--tls-san takes one DNS name or IP without spaces or commas';
  return { port, dataDir: resolve(dataDir), host, sans, anonymous: values['anonymous-auth'] === true };
}
