import { parseUp, usage } from './upFlags.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
  const [{ createLogger }, { startControlPlane }] = await Promise.all([
    import('@tugboat/core'),
    import('./startControlPlane.js'),
  ]);
  const logger = createLogger({ name: 'tug' });
  const plane = await startControlPlane({
    dataDir: flags.dataDir,
    port: flags.port,
    host: flags.host,
    extraSans: flags.sans,
    allowAnonymous: flags.anonymous,
    logger,
  });
  console.log(`API server listening on ${plane.url} (data: ${flags.dataDir})`);
  console.log(`ready: kubeconfig at ${plane.kubeconfigPath}`);
  await new Promise<void>((done) => {
    // A pending promise does not keep Node alive; this timer does, until a signal arrives.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const stop = (): void => {
      clearInterval(keepAlive);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('stopping');
  await plane.stop();
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
