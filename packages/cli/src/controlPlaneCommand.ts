import { controlPlaneUsage, parseControlPlane } from './controlPlaneFlags.js';
import { untilSignalled } from './untilSignalled.js';

/**
 * `tug control-plane`: parses the flags (a bad one exits 2 before anything starts), runs one
 * control-plane process until SIGINT or SIGTERM, and returns the exit code.
 */
export async function controlPlaneCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(controlPlaneUsage);
    return 0;
  }
  const flags = parseControlPlane(args);
  if (typeof flags === 'string') {
    console.error(`tug control-plane: ${flags} (see tug control-plane --help)`);
    return 2;
  }
  const [{ createLogger }, { startSharedControlPlane }] = await Promise.all([
    import('@tugboat/core'),
    import('./startSharedControlPlane.js'),
  ]);
  const logger = createLogger({ name: 'tug' });
  return untilSignalled(
    () =>
      startSharedControlPlane({
        dataDir: flags.dataDir,
        ...(flags.store !== undefined ? { store: flags.store } : {}),
        port: flags.port,
        host: flags.host,
        extraSans: flags.sans,
        serviceClusterIpRange: flags.serviceClusterIpRange,
        serviceNodePortRange: flags.serviceNodePortRange,
        leaderElection: flags.leaderElection,
        logger,
        progress: (line) => {
          console.log(line);
        },
      }),
    (plane) => `ready: kubeconfig at ${plane.kubeconfigPath}`,
  );
}
