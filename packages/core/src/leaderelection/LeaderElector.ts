import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';

import type { ApiClient } from '../api/ApiClient.js';
import { ApiError } from '../errors/ApiError.js';
import type { Logger } from '../log/Logger.js';
import { Leases } from '../resources/builtins.js';
import { type Clock, realClock, type TimerHandle } from '../workqueue/Clock.js';
import { microTime } from '../meta/metaTime.js';

/** Options of a {@link LeaderElector}; durations default to client-go's 15 s / 10 s / 2 s. */
export interface LeaderElectorOptions {
  /** Name of the Lease object that is the lock. */
  readonly name: string;
  /** Namespace of the Lease (default `kube-system`). */
  readonly namespace?: string;
  /** This candidate's identity, unique among candidates (e.g. hostname + random suffix). */
  readonly identity: string;
  /** How long a lease is honoured without renewal (whole seconds on the wire; default 15000). */
  readonly leaseDurationMs?: number;
  /** How long the leader retries renewing before giving up leadership (default 10000). */
  readonly renewDeadlineMs?: number;
  /** Interval between attempts to acquire or renew (default 2000). */
  readonly retryPeriodMs?: number;
  /** Clear the holder on {@link LeaderElector.stop}, so another candidate takes over at once (default true). */
  readonly releaseOnStop?: boolean;
  readonly clock?: Clock;
  /** Jitter source in [0, 1) for acquire retries. */
  readonly random?: () => number;
}

/**
 * Lease-based leader election over the API (coordination.k8s.io/v1 Lease), as client-go's:
 * candidates race to write themselves as holder with optimistic concurrency; the holder renews
 * every retry period and gives up after the renew deadline; others take over once the lease has
 * not been renewed for its duration, measured on their own clock. {@link leading$} says whether
 * this candidate leads now.
 */
export class LeaderElector {
  private readonly subject = new BehaviorSubject<boolean>(false);
  /** True while this candidate holds the lease. */
  readonly leading$: Observable<boolean> = this.subject.pipe(distinctUntilChanged());
  private readonly log: Logger;
  private readonly namespace: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private observed: { record: string; at: number; spec: LeaseSpec } | undefined;
  private lastRenew = 0;
  private stopping = false;
  private running: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: ApiClient,
    logger: Logger,
    private readonly options: LeaderElectorOptions,
  ) {
    this.namespace = options.namespace ?? 'kube-system';
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    if (!options.identity) throw new ApiError('BadRequest', 'leader election requires a non-empty identity');
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new ApiError('BadRequest', 'leaseDuration must be greater than renewDeadline');
    }
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2) {
      throw new ApiError('BadRequest', 'renewDeadline must be greater than retryPeriod*1.2');
    }
    this.log = logger.child({ lease: `${this.namespace}/${options.name}`, identity: options.identity });
  }

  /** Whether this candidate leads now. */
  isLeader(): boolean {
    return this.subject.value;
  }

  /** Competes for the lease until {@link stop}; resolves after stopping. Never rejects. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops competing; if leading, gives up leadership and (by default) releases the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.wake?.();
    await this.running;
    this.subject.next(false);
    // An attempt in flight at stop may have just won the lease, so release whenever we wrote it.
    if (
      this.running !== undefined &&
      (this.options.releaseOnStop ?? true) &&
      this.observed?.spec.holderIdentity === this.options.identity
    ) {
      await this.release();
    }
    this.subject.complete();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const leading = this.subject.value;
      const ok = await this.tryAcquireOrRenew();
      if (this.isStopping()) break;
      const now = this.clock.now();
      if (ok) {
        this.lastRenew = now;
        if (!leading) this.log.info('acquired leadership');
        this.subject.next(true);
      } else if (leading && (this.heldByOther() || now - this.lastRenew >= this.renewDeadlineMs)) {
        this.log.warn('lost leadership');
        this.subject.next(false);
      }
      const wait = this.subject.value ? this.retryPeriodMs : this.retryPeriodMs * (1 + 1.2 * this.random());
      await this.sleep(wait);
    }
  }

  /** Read through a method so the compiler does not narrow it across awaits. */
  private isStopping(): boolean {
    return this.stopping;
  }

  private heldByOther(): boolean {
    const holder = this.observed?.spec.holderIdentity;
    return holder !== undefined && holder !== '' && holder !== this.options.identity;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.clock.setTimeout(resolve, ms);
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const me = this.options.identity;
    const fresh: LeaseSpec = {
      holderIdentity: me,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      let lease: Lease;
      try {
        lease = await this.client.get(Leases, this.options.name, { namespace: this.namespace });
      } catch (err) {
        if (!ApiError.is(err, 'NotFound')) throw err;
        const created = await this.client.create(
          Leases,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.options.name, namespace: this.namespace },
            spec: fresh,
          },
          { namespace: this.namespace },
        );
        this.observe(created.spec ?? fresh, this.clock.now());
        return true;
      }
      const spec = lease.spec ?? {};
      this.observe(spec, now);
      const holder = spec.holderIdentity ?? '';
      const valid = (this.observed?.at ?? now) + (spec.leaseDurationSeconds ?? 0) * 1000 > now;
      if (holder !== '' && holder !== me && valid) return false;
      const next: LeaseSpec =
        holder === me
          ? {
              ...spec,
              holderIdentity: me,
              leaseDurationSeconds: fresh.leaseDurationSeconds ?? 15,
              renewTime: microTime(now),
            }
          : { ...fresh, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
      const updated = await this.client.update(
        Leases,
        { ...lease, spec: next },
        { namespace: this.namespace },
      );
      this.observe(updated.spec ?? next, this.clock.now());
      return true;
    } catch (err) {
      // Conflict means another candidate wrote first: simply try again next period.
      if (!ApiError.is(err, 'Conflict', 'AlreadyExists'))
        this.log.warn('lease update failed', { error: String(err) });
      return false;
    }
  }

  /** Remembers the lease as seen, restarting the expiry clock whenever its record changes. */
  private observe(spec: LeaseSpec, at: number): void {
    const record = JSON.stringify([
      spec.holderIdentity,
      spec.renewTime,
      spec.acquireTime,
      spec.leaseTransitions,
    ]);
    if (this.observed?.record !== record) this.observed = { record, at, spec };
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.client.get(Leases, this.options.name, { namespace: this.namespace });
      if (lease.spec?.holderIdentity !== this.options.identity) return;
      const now = microTime(this.clock.now());
      await this.client.update(
        Leases,
        {
          ...lease,
          spec: {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: lease.spec.leaseTransitions ?? 0,
          },
        },
        { namespace: this.namespace },
      );
      this.log.info('released lease');
    } catch (err) {
      this.log.warn('failed to release lease', { error: String(err) });
    }
  }
}
