import { parseTokenCreate, tokenUsage } from './tokenFlags.js';

/**
 * `tug token create`: writes a new bootstrap token Secret through the API server named by the
 * admin kubeconfig, waits until the bootstrap signer has signed `kube-public/cluster-info` with it
 * (when the cluster publishes one), and prints the token (`<id>.<secret>`), or with
 * `--print-join-command` the whole `tug node` command, on stdout; returns the exit code.
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
    { awaitClusterInfoSignature },
    { caCertHash },
  ] = await Promise.all([
    import('@tugboat/client'),
    import('@tugboat/apiserver'),
    import('@tugboat/core'),
    import('./clusterInfo.js'),
    import('./caCertHash.js'),
  ]);
  const kubeconfig = loadKubeconfig(flags.kubeconfig);
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a plain object (the options type shares its name with a DI token)
  const client = new HttpApiClient({ ...kubeconfig, timeoutMs: 15_000 });
  const token = generateBootstrapToken();
  const secret = bootstrapTokenSecret(token, {
    ttlMs: flags.ttlMs,
    extraGroups: flags.groups,
    description: flags.description ?? 'created by tug token create',
  });
  let signed: boolean | undefined;
  try {
    await client.create(resources.Secrets, secret, { namespace: 'kube-system' });
    signed = await awaitClusterInfoSignature(client, token.id, 30_000);
  } finally {
    client.close();
  }
  const text = formatBootstrapToken(token);
  if (signed === false)
    console.error(
      `tug token: cluster-info is not signed for token ${token.id} yet (is a controller manager running?); nodes can still join with --ca-cert`,
    );
  if (!flags.printJoinCommand) {
    console.log(text);
    return 0;
  }
  const ca = kubeconfig.ca;
  if (ca === undefined) {
    console.error(`tug token: ${flags.kubeconfig} holds no cluster CA to pin; printing the token only`);
    console.log(text);
    return 1;
  }
  console.log(
    `tug node --server ${kubeconfig.server} --token ${text} --discovery-token-ca-cert-hash ${caCertHash(ca.toString())}`,
  );
  return 0;
}
