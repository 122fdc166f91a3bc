#!/usr/bin/env -S node --import tsx
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { createLogger, resources } from '@tugboat/core';

import { startControlPlane } from './startControlPlane.js';

const usage = `usage: tug up [--data-dir DIR]

  up    start the in-process control plane (store + registry) until Ctrl-C or SIGTERM`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'up') {
    console.error(command === undefined ? usage : `tug: unknown command "${command}"\n${usage}`);
    return 2;
  }
  let values: { 'data-dir'?: string };
  try {
    ({ values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, strict: true }));
  } catch (err) {
    console.error(`tug: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  const dataDir = resolve(values['data-dir'] ?? '.tug');
  const logger = createLogger({ name: 'tug' });
  console.log(`starting the in-process control plane (store: ${dataDir}/store)`);
  const plane = await startControlPlane({ dataDir, logger });
  const namespaces = await plane.client.list(resources.Namespaces);
  console.log(`namespaces: ${namespaces.items.map((n) => n.metadata?.name).join(', ')}`);
  console.log(
    'ready: in-process control plane running. The HTTPS front for kubectl, the scheduler and the node agent arrive with their issues.',
  );
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
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`tug: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
