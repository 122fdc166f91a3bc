import { token } from '../di/token.js';

/** What a reconcile is about: one object, by namespace and name. */
export interface ReconcileRequest {
  readonly namespace?: string;
  readonly name: string;
}

/** What a reconcile asks for next. An empty result means done until something changes. */
export interface ReconcileResult {
  /** Reconcile this request again after this many milliseconds. */
  readonly requeueAfter?: number;
  /** Reconcile again with the queue's rate-limited backoff. */
  readonly requeue?: boolean;
}

/**
 * A control loop's body. Reconciliation is level-based: it reads the current state and drives the
 * world toward the desired state, whatever events led here, and is idempotent. A thrown error
 * requeues the request with per-item exponential backoff. `signal` aborts on shutdown.
 */
export interface Reconciler<TRequest = ReconcileRequest> {
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- returning nothing means "done"
  reconcile(request: TRequest, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/**
 * Inversify token under which controllers (classes decorated with `@controller`) are bound; the
 * `ControllerManager` multi-injects every binding.
 */
export const Reconciler = token<Reconciler>('core/Reconciler');
