import { nodeUsage, parseNode } from './nodeFlags.js';
import { untilSignalled } from './untilSignalled.js';

/**
 * `tug node`: parses the flags (a bad one exits 2 before anything starts), joins the cluster and
 * runs the kubelet until SIGINT or SIGTERM; returns the exit code.
 */
export async function nodeCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(nodeUsage);
    return 0;
  }
  const flags = parseNode(args);
  if (typeof flags === 'string') {
    console.error(`tug node: ${flags} (see tug node --help)`);
    return 2;
  }
  const [{ createLogger }, { startNode }] = await Promise.all([
    import('@tugboat/core'),
    import('./startNode.js'),
  ]);
  const logger = createLogger({ name: 'tug' });
  return untilSignalled(
    () =>
      startNode({
        ...flags,
        logger,
        progress: (line) => {
          console.log(line);
        },
      }),
    (node) => `ready: node ${flags.nodeName} joined; kubeconfig at ${node.kubeconfigPath}`,
  );
}
