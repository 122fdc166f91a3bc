import { parseTokenCreate, tokenUsage } from './tokenFlags.js';

/**
 * `tug token create`: writes a new bootstrap token Secret through the API server named by the
 * admin kubeconfig and prints the token (`<id>.<secret>`) on stdout; returns the exit code.
 */
export async function tokenCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(tokenUsage);
    return 0;
  }
  const flags = parseTokenCreate(args);
  if (typeof flags === 'string') {
    console.error(`tug token: ${flags} (see tug token --help)`);
    return 2;
  }
  const [
    { HttpApiClient, loadKubeconfig },
    { bootstrapTokenSecret, formatBootstrapToken, generateBootstrapToken },
    { resources },
  ] = await Promise.all([import('@tugboat/client'), import('@tugboat/apiserver'), import('@tugboat/core')]);
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a plain object (the options type shares its name with a DI token)
  const client = new HttpApiClient({ ...loadKubeconfig(flags.kubeconfig), timeoutMs: 15_000 });
  const token = generateBootstrapToken();
  const secret = bootstrapTokenSecret(token, {
    ttlMs: flags.ttlMs,
    extraGroups: flags.groups,
    description: flags.description ?? 'created by tug token create',
  });
  try {
    await client.create(resources.Secrets, secret, { namespace: 'kube-system' });
  } finally {
    client.close();
  }
  console.log(formatBootstrapToken(token));
  return 0;
}
