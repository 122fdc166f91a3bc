import type { LeaderElector, Logger } from '@tugboat/core';

/** Something started for one term of leadership and stopped when it ends. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** A component that runs only while its elector leads; {@link stop} ends both. */
export interface LeaderGated {
  /** Stops the component (if running) and the elector, releasing the lease. */
  stop(): Promise<void>;
}

/**
 * Runs a component active/standby: `start` is called each time `elector` gains the lease and the
 * component it returns is stopped when the lease is lost, so a standby process takes over a
 * term with a fresh component, as upstream's `leaderelection.RunOrDie` callbacks do. Transitions
 * run one at a time, in order.
 */
export function leaderGated(
  elector: LeaderElector,
  what: string,
  start: () => Promise<Stoppable>,
  logger: Logger,
  onChange?: (leading: boolean) => void,
): LeaderGated {
  let running: Stoppable | undefined;
  let chain: Promise<void> = Promise.resolve();
  const step = (fn: () => Promise<void>): void => {
    chain = chain.then(fn).catch((err: unknown) => {
      logger.error(`${what}: leadership transition failed`, {
        error: err instanceof Error ? err.message : String(err),
      });
    });
  };
  const subscription = elector.leading$.subscribe((leading) => {
    onChange?.(leading);
    step(async () => {
      if (leading && running === undefined) {
        logger.info(`${what}: became leader, starting`);
        running = await start();
      } else if (!leading && running !== undefined) {
        logger.warn(`${what}: lost leadership, stopping`);
        const r = running;
        running = undefined;
        await r.stop();
      }
    });
  });
  void elector.run();
  return {
    async stop(): Promise<void> {
      subscription.unsubscribe();
      step(async () => {
        const r = running;
        running = undefined;
        await r?.stop();
      });
      await chain;
      await elector.stop();
    },
  };
}
