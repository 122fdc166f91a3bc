import {
  ApiError,
  ignoreNotFound,
  resources,
  type ApiClient,
  type Clock,
  type coordinationv1,
  type Logger,
  type metav1,
  type TimerHandle,
  microTime,
} from '@tugboat/core';

import { Backoff, messageOf } from './Backoff.js';

/** The namespace node Leases live in. */
export const nodeLeaseNamespace = 'kube-node-lease';
/** Upstream's default node lease duration; the lease is renewed every quarter of it. */
export const nodeLeaseDurationSeconds = 40;

/** Options of a {@link NodeLease}. */
export interface NodeLeaseOptions {
  readonly client: ApiClient;
  readonly nodeName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly renewIntervalMs: number;
  /** The registered Node's uid, for the Lease's owner reference (garbage-collected with the Node). */
  readonly nodeUid: () => string | undefined;
}

/**
 * The node's heartbeat: a Lease in `kube-node-lease` named after the node, held by it, renewed
 * every `renewIntervalMs`. Failures are retried with backoff and never escape the timer.
 */
export class NodeLease {
  private readonly backoff = new Backoff();
  private lease: coordinationv1.Lease | undefined;
  private timer: TimerHandle | undefined;
  private inflight: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: NodeLeaseOptions) {}

  /** Renews at once, then every interval. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops renewing (the Lease stays and expires on its own). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.inflight = this.renew();
    }, ms);
  }

  private async renew(): Promise<void> {
    try {
      await this.renewOnce();
      this.backoff.reset();
      this.schedule(this.options.renewIntervalMs);
    } catch (err) {
      // A conflict or a vanished lease means the cached copy is stale: read it afresh next time.
      if (ApiError.is(err, 'Conflict', 'NotFound')) this.lease = undefined;
      const delay = this.backoff.next();
      this.options.logger.warn('failed to renew the node lease, will retry', {
        error: messageOf(err),
        retryInMs: delay,
      });
      this.schedule(delay);
    }
  }

  private async renewOnce(): Promise<void> {
    const { client, nodeName, clock } = this.options;
    const now = microTime(clock.now());
    const current =
      this.lease ??
      (await client.get(resources.Leases, nodeName, { namespace: nodeLeaseNamespace }).catch(ignoreNotFound));
    const owners = this.ownerReferences();
    if (current === undefined) {
      this.lease = await client.create(
        resources.Leases,
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: nodeName,
            namespace: nodeLeaseNamespace,
            ...(owners ? { ownerReferences: owners } : {}),
          },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: nodeLeaseDurationSeconds, renewTime: now },
        },
        { namespace: nodeLeaseNamespace },
      );
      return;
    }
    this.lease = await client.update(
      resources.Leases,
      {
        ...current,
        metadata: { ...current.metadata, ...(owners ? { ownerReferences: owners } : {}) },
        spec: {
          ...current.spec,
          holderIdentity: nodeName,
          leaseDurationSeconds: nodeLeaseDurationSeconds,
          renewTime: now,
        },
      },
      { namespace: nodeLeaseNamespace },
    );
  }

  private ownerReferences(): metav1.OwnerReference[] | undefined {
    const uid = this.options.nodeUid();
    if (uid === undefined) return undefined;
    return [{ apiVersion: 'v1', kind: 'Node', name: this.options.nodeName, uid }];
  }
}
