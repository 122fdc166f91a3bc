import { token, type ControllerManager, type ReconcileRequest } from '@tugboat/core';

/**
 * Asks the controller manager to reconcile `request` with the named controller. Controllers use it
 * for wake-ups their declared watches cannot express (an orphan pod for every matching owner).
 */
export type Enqueue = (controller: string, request: ReconcileRequest) => void;

/** Inversify token for {@link Enqueue}. */
export const Enqueue = token<Enqueue>('controllers/Enqueue');

/** An {@link Enqueue} resolving the manager lazily, since the manager itself depends on the controllers. */
export function lazyEnqueue(get: () => ControllerManager): Enqueue {
  let manager: ControllerManager | undefined;
  return (controller, request) => {
    manager ??= get();
    manager.enqueue(controller, request);
  };
}
