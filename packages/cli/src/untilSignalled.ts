/**
 * Starts something, prints its ready line, and keeps the process alive until SIGINT or SIGTERM,
 * then stops it; resolves to the exit code (0). Listens for signals from the start, so Ctrl-C
 * while it comes up still stops it cleanly.
 */
export async function untilSignalled<T extends { stop(): Promise<void> }>(
  start: () => Promise<T>,
  ready: (running: T) => string,
): Promise<number> {
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
  try {
    const running = await start();
    console.log(ready(running));
    await signalled;
    console.log('stopping');
    await running.stop();
    console.log('stopped');
    return 0;
  } finally {
    clearInterval(keepAlive);
  }
}
