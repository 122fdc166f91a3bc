import { token, type ControllerManager, type ReconcileRequest } from '@tugboat/core';

/**
 * Asks the controller manager to reconcile `request` with the named controller. Controllers use it
 * for wake-ups their declared watches cannot express (an orphan pod for every matching owner).
 */
export type Enqueue = (controller: string, request: ReconcileRequest) => void;

/** Inversify token for {@link Enqueue}. */
export const Enqueue = token<Enqueue>('controllers/Enqueue');

/**
 * An {@link Enqueue} resolving the manager lazily, since the manager itself depends on the
 * controllers. A controller may enqueue while it is being constructed (an informer that has
 * already synced replays its cache to a new subscriber at once); resolving the manager then
 * would construct the controllers again, endlessly. So requests made before the manager is known
 * wait for a microtask, by which time the construction has finished.
 */
export function lazyEnqueue(get: () => ControllerManager): Enqueue {
  let manager: ControllerManager | undefined;
  let waiting: [string, ReconcileRequest][] | undefined;
  return (controller, request) => {
    if (manager !== undefined) {
      manager.enqueue(controller, request);
      return;
    }
    if (waiting === undefined) {
      const batch: [string, ReconcileRequest][] = [];
      waiting = batch;
      queueMicrotask(() => {
        const resolved = (manager = get());
        waiting = undefined;
        for (const [c, r] of batch) resolved.enqueue(c, r);
      });
    }
    waiting.push([controller, request]);
  };
}
