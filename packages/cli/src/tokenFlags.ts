import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { parseDurationFlag } from './durationFlag.js';

/** The `tug token` usage text. */
export const tokenUsage = `usage: tug token create [--ttl DURATION] [--description TEXT] [--groups GROUP[,GROUP...]]
              [--print-join-command] [--kubeconfig FILE | --data-dir DIR]

  create   creates a bootstrap token (a kube-system/bootstrap-token-<id> Secret) and prints it;
           \`tug node --server URL --token TOKEN\` joins a node with it

  --print-join-command  print the whole \`tug node\` command instead: the server, the token and
                       --discovery-token-ca-cert-hash (the cluster CA's public key pin)

  --ttl DURATION       how long the token is valid (default 24h; 0: never expires)
  --description TEXT   what the token is for (kept in the Secret)
  --groups LIST        extra groups (system:bootstrappers:...) for the token's user
  --kubeconfig FILE    an administrator's kubeconfig (default DIR/kubeconfig)
  --data-dir DIR       the data directory of \`tug up\` or \`tug control-plane\` (default .tug)`;

/** The parsed flags of `tug token create`. */
export interface TokenFlags {
  readonly kubeconfig: string;
  readonly ttlMs: number;
  readonly description?: string;
  readonly groups: readonly string[];
  readonly printJoinCommand: boolean;
}

/** Parses `tug token create` flags; a string is the one-line complaint about bad flags. */
export function parseTokenCreate(args: string[]): TokenFlags | string {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        ttl: { type: 'string' },
        description: { type: 'string' },
        groups: { type: 'string' },
        kubeconfig: { type: 'string' },
        'data-dir': { type: 'string' },
        'print-join-command': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    return (err as Error).message;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'create')
    return positionals.length === 0
      ? 'missing subcommand: tug token create'
      : `unknown subcommand "${positionals.join(' ')}" (only "create")`;
  const ttlMs = parseDurationFlag('--ttl', values.ttl ?? '24h');
  if (typeof ttlMs === 'string') return ttlMs;
  if (values.kubeconfig !== undefined && values['data-dir'] !== undefined)
    return '--kubeconfig and --data-dir exclude each other';
  const kubeconfig = resolve(values.kubeconfig ?? join(values['data-dir'] ?? '.tug', 'kubeconfig'));
  if (!existsSync(kubeconfig))
    return `no kubeconfig at ${kubeconfig}: pass --data-dir of a running control plane, or --kubeconfig`;
  const groups = (values.groups ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  const bad = groups.find((g) => !/^system:bootstrappers:[a-z0-9:-]*[a-z0-9]$/.test(g));
  if (bad !== undefined)
    return `--groups: "${bad}" must start with system:bootstrappers: (a-z, 0-9, ':', '-')`;
  return {
    kubeconfig,
    ttlMs,
    ...(values.description !== undefined ? { description: values.description } : {}),
    groups,
    printJoinCommand: values['print-join-command'] === true,
  };
}
