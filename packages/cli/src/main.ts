import type { ControllerName } from '@tugboat/controllers';

import { multiNodeCommand } from './multiNodeCommands.js';
import { parseUp, usage } from './upFlags.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const multiNode = await multiNodeCommand(command, rest);
  if (multiNode !== undefined) return multiNode;
  if (
    command === '--help' ||
    command === '-h' ||
    command === 'help' ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    console.log(usage);
    return 0;
  }
  if (command !== 'up') {
    console.error(command === undefined ? usage : `tug: unknown command "${command}"\n${usage}`);
    return 2;
  }
  const flags = parseUp(rest);
  if (typeof flags === 'string') {
    console.error(`tug up: ${flags} (see tug --help)`);
    return 2;
  }
  // Loaded only now, so bad flags are answered at once, before anything starts.
  const [{ createLogger }, { startComposedCluster }, { controllerClasses }, { unknownController }] =
    await Promise.all([
      import('@tugboat/core'),
      import('./startCluster.js'),
      import('@tugboat/controllers'),
      import('./upConfig.js'),
    ]);
  const badController =
    flags.config === undefined ? undefined : unknownController(flags.config, Object.keys(controllerClasses));
  if (badController !== undefined) {
    console.error(`tug up: ${badController} (see tug --help)`);
    return 2;
  }
  const logger = createLogger({ name: 'tug' });
  // Listening from the start, so Ctrl-C while components come up still stops them cleanly.
  const signalled = new Promise<void>((done) => {
    process.once('SIGINT', () => {
      done();
    });
    process.once('SIGTERM', () => {
      done();
    });
  });
  // A pending promise does not keep Node alive; this timer does, until a signal arrives.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const cluster = await startComposedCluster({
    dataDir: flags.dataDir,
    ...(flags.store !== undefined ? { store: flags.store } : {}),
    port: flags.port,
    host: flags.host,
    extraSans: flags.sans,
    allowAnonymous: flags.anonymous,
    runtime: flags.runtime,
    ...(flags.containerdSocket !== undefined ? { containerdSocket: flags.containerdSocket } : {}),
    ...(flags.dockerSocket !== undefined ? { dockerSocket: flags.dockerSocket } : {}),
    nodeName: flags.nodeName,
    kubeletPort: flags.kubeletPort,
    serviceClusterIpRange: flags.serviceClusterIpRange,
    serviceNodePortRange: flags.serviceNodePortRange,
    loadBalancerPool: flags.loadBalancerPool,
    dnsAddress: flags.dnsAddress,
    dnsPort: flags.dnsPort,
    components: flags.components,
    ...(flags.controllers !== undefined ? { controllers: flags.controllers as ControllerName[] } : {}),
    logger,
    progress: (line) => {
      console.log(line);
    },
  });
  console.log(`ready: kubeconfig at ${cluster.kubeconfigPath}`);
  await signalled;
  clearInterval(keepAlive);
  console.log('stopping');
  await cluster.stop();
  console.log('stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`tug: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
