import {
  ApiClient,
  EventRecorder,
  Logger,
  SharedInformerFactory,
  resources,
  type corev1,
  type InformerEvent,
} from '@tugboat/core';
import { performance } from 'node:perf_hooks';

import { inject, injectable, optional } from 'inversify';
import type { Subscription } from 'rxjs';

import { SchedulerCache } from './cache/SchedulerCache.js';
import { CycleStateImpl } from './framework/CycleStateImpl.js';
import { fitErrorMessage } from './framework/fitErrorMessage.js';
import { Framework } from './framework/Framework.js';
import { Nominator } from './framework/Nominator.js';
import { inTreeRegistry } from './framework/inTreeRegistry.js';
import { defaultSchedulerName } from './framework/Profile.js';
import { recordFailure } from './internal/recordFailure.js';
import { schedulingRelevantChange } from './internal/schedulingRelevantChange.js';
import { SchedulingQueue, type QueuedPodInfo } from './queue/SchedulingQueue.js';
import { SchedulerOptions, type SchedulingAttempt } from './SchedulerOptions.js';

/**
 * The default scheduler: watches pods and nodes through shared informers, keeps the cache and
 * the scheduling queue, and runs one scheduling cycle at a time (PreFilter → Filter → Score →
 * Reserve → Permit, synchronous against the cache), binding asynchronously and concurrently.
 * Pods without `spec.nodeName` whose `spec.schedulerName` names one of its profiles are its own.
 */
@injectable()
export class Scheduler {
  readonly cache = new SchedulerCache();
  /** Pods nominated to nodes by preemption, shared by every profile. */
  readonly nominator = new Nominator();
  readonly queue: SchedulingQueue;
  private readonly profiles = new Map<string, Framework>();
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly subscriptions: Subscription[] = [];
  private readonly bindings = new Set<Promise<void>>();
  private readonly parallelism: number;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private bindSlots: (() => void)[] = [];

  constructor(
    @inject(ApiClient) private readonly client: ApiClient,
    @inject(Logger) logger: Logger,
    @inject(SharedInformerFactory) private readonly informers: SharedInformerFactory,
    @inject(SchedulerOptions) @optional() private readonly options: SchedulerOptions = {},
  ) {
    this.log = logger.child({ component: 'scheduler' });
    this.recorder = new EventRecorder(client, logger, { component: defaultSchedulerName });
    this.parallelism = options.parallelism ?? 256;
    const registry = inTreeRegistry();
    if (options.outOfTreeRegistry !== undefined) registry.merge(options.outOfTreeRegistry);
    for (const profile of options.profiles ?? [{ schedulerName: defaultSchedulerName }]) {
      const fwk = new Framework(
        profile,
        registry,
        client,
        this.log,
        () => this.cache,
        options.percentageOfNodesToScore,
        this.nominator,
      );
      this.profiles.set(profile.schedulerName, fwk);
    }
    const sort = [...this.profiles.values()][0]?.queueSort;
    this.queue = new SchedulingQueue({
      less: sort === undefined ? (a, b) => a.timestamp < b.timestamp : (a, b) => sort.less(a, b),
      ...(options.initialBackoffMs !== undefined ? { initialBackoffMs: options.initialBackoffMs } : {}),
      ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
      ...(options.maxInUnschedulableMs !== undefined
        ? { maxInUnschedulableMs: options.maxInUnschedulableMs }
        : {}),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
  }

  /** Starts watching and scheduling; resolves once the informers have synced. */
  async start(): Promise<void> {
    const nodes = this.informers.informerFor(resources.Nodes);
    const pods = this.informers.informerFor(resources.Pods);
    this.subscriptions.push(
      nodes.events.subscribe((e) => {
        this.guard(() => {
          this.onNode(e);
        });
      }),
      pods.events.subscribe((e) => {
        this.guard(() => {
          this.onPod(e);
        });
      }),
    );
    await Promise.all([nodes.start(), pods.start()]);
    this.queue.run();
    this.loop = this.run();
  }

  /** Stops scheduling, waits for bindings in flight and pending events. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    for (const fwk of this.profiles.values())
      fwk.iterateOverWaitingPods((w) => {
        w.reject('', 'scheduler stopped');
      });
    await this.loop;
    await Promise.all([...this.bindings]);
    await this.recorder.flush();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('scheduler event handler failed', { error: String(err) });
    }
  }

  private responsible(pod: corev1.Pod): boolean {
    return this.profiles.has(pod.spec?.schedulerName ?? defaultSchedulerName);
  }

  private onNode(e: InformerEvent<corev1.Node>): void {
    if (e.type === 'deleted') {
      this.cache.removeNode(e.object.metadata?.name ?? '');
      return;
    }
    this.cache.addNode(e.object);
    if (e.type === 'added' || schedulingRelevantChange(e.old, e.object))
      this.queue.moveAllToActiveOrBackoff();
  }

  private onPod(e: InformerEvent<corev1.Pod>): void {
    const pod = e.object;
    const uid = pod.metadata?.uid ?? '';
    if (e.type === 'deleted') {
      this.nominator.delete(uid);
      for (const fwk of this.profiles.values()) fwk.getWaitingPod(uid)?.reject('', 'pod deleted');
      if (pod.spec?.nodeName || this.cache.hasPod(uid)) {
        this.cache.removePod(uid);
        this.queue.delete(pod);
        this.queue.moveAllToActiveOrBackoff();
      } else this.queue.delete(pod);
      return;
    }
    if (pod.spec?.nodeName) {
      this.nominator.delete(uid);
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') this.cache.removePod(uid);
      else this.cache.addPod(pod);
      this.queue.delete(pod);
      return;
    }
    if (!this.responsible(pod)) return;
    if (!this.cache.isAssumed(uid)) this.nominator.update(pod);
    else return;
    if (pod.metadata?.deletionTimestamp) this.queue.delete(pod);
    else if (e.type === 'added') this.queue.add(pod);
    else this.queue.update(pod);
  }

  private async run(): Promise<void> {
    let lastYield = performance.now();
    while (!this.stopped) {
      const info = await this.queue.pop();
      if (info === undefined) break;
      try {
        await this.scheduleOne(info);
      } catch (err) {
        this.log.error('scheduling cycle failed', { pod: info.key, error: String(err) });
        this.queue.addUnschedulableIfNotPresent(info, false);
      }
      // Give the rest of the process (informer events, binding replies, I/O) a turn every few ms.
      if (performance.now() - lastYield > 10) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
      if (this.bindings.size >= this.parallelism) await new Promise<void>((r) => this.bindSlots.push(r));
    }
  }

  /** One scheduling cycle for one pod; only preemption (PostFilter) awaits. */
  private async scheduleOne(info: QueuedPodInfo): Promise<void> {
    info.startedAt = performance.now();
    const pod = info.pod;
    const uid = pod.metadata?.uid ?? '';
    if (pod.metadata?.deletionTimestamp || pod.spec?.nodeName || this.cache.hasPod(uid)) {
      this.queue.done(info.key);
      return;
    }
    const fwk = this.profiles.get(pod.spec?.schedulerName ?? defaultSchedulerName);
    if (fwk === undefined) {
      this.queue.done(info.key);
      return;
    }
    const state = new CycleStateImpl();
    let result;
    try {
      result = fwk.schedulePod(state, pod);
    } catch (err) {
      this.fail(info, 'Error', `running the scheduling plugins: ${errorMessage(err)}`);
      return;
    }
    if (result.kind === 'unschedulable') {
      let postMsg: string | undefined;
      if (result.preFilterStatus?.code !== 'UnschedulableAndUnresolvable' && result.numAllNodes > 0) {
        try {
          const post = await fwk.runPostFilters(state, pod, result.statuses);
          postMsg = post?.status.reasons.join(' ') || undefined;
          if (post?.nominatedNodeName) {
            postMsg = undefined;
            this.nominator.update(pod, post.nominatedNodeName);
          }
        } catch (err) {
          postMsg = `preemption: ${errorMessage(err)}`;
        }
      }
      this.fail(
        info,
        'Unschedulable',
        fitErrorMessage(result.numAllNodes, result.statuses, result.preFilterMsg, postMsg),
      );
      return;
    }
    const nodeName = result.nodeName;
    this.cache.assumePod(pod, nodeName);
    // Placed now: its nomination no longer holds room (a failure puts it back).
    this.nominator.delete(uid);
    let status;
    try {
      status = fwk.runReserve(state, pod, nodeName);
      if (status.code === 'Success') {
        status = fwk.runPermit(state, pod, nodeName);
        // A held pod stays reserved; the binding cycle waits for its verdict.
        if (status.code === 'Wait') status = { code: 'Success' as const, reasons: [] };
        else if (status.code !== 'Success') fwk.runUnreserve(state, pod, nodeName);
      }
    } catch (err) {
      fwk.runUnreserve(state, pod, nodeName);
      status = { code: 'Error' as const, reasons: [`running Reserve/Permit plugins: ${errorMessage(err)}`] };
    }
    if (status.code !== 'Success') {
      this.cache.forgetPod(uid);
      this.fail(info, status.code === 'Error' ? 'Error' : 'Unschedulable', status.reasons.join(', '));
      return;
    }
    const binding = this.bind(fwk, state, info, nodeName);
    this.bindings.add(binding);
    void binding.finally(() => {
      this.bindings.delete(binding);
      this.bindSlots.shift()?.();
    });
  }

  private async bind(
    fwk: Framework,
    state: CycleStateImpl,
    info: QueuedPodInfo,
    nodeName: string,
  ): Promise<void> {
    const pod = info.pod;
    const permit = await fwk.waitOnPermit(pod);
    if (permit.code !== 'Success') {
      this.cache.forgetPod(pod.metadata?.uid ?? '');
      fwk.runUnreserve(state, pod, nodeName);
      this.fail(info, 'Unschedulable', permit.reasons.join(', '));
      return;
    }
    let status;
    try {
      status = await fwk.runBind(state, pod, nodeName);
    } catch (err) {
      status = { code: 'Error' as const, reasons: [errorMessage(err)] };
    }
    if (status.code === 'Success') {
      this.queue.done(info.key);
      this.report(info, 'scheduled', nodeName);
      const m = pod.metadata ?? {};
      this.recorder.event(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${m.namespace ?? 'default'}/${m.name ?? ''} to ${nodeName}`,
      );
      return;
    }
    this.cache.forgetPod(pod.metadata?.uid ?? '');
    fwk.runUnreserve(state, pod, nodeName);
    this.fail(info, 'Error', `binding pod to node ${nodeName}: ${status.reasons.join(', ')}`);
  }

  private report(info: QueuedPodInfo, result: SchedulingAttempt['result'], nodeName?: string): void {
    const hook = this.options.onAttempt;
    if (hook === undefined) return;
    try {
      hook({
        pod: info.pod,
        result,
        ...(nodeName ? { nodeName } : {}),
        durationMs: performance.now() - info.startedAt,
      });
    } catch (err) {
      this.log.warn('onAttempt hook failed', { error: String(err) });
    }
  }

  /** Records a failed attempt (event + PodScheduled=False) and requeues the pod. */
  private fail(info: QueuedPodInfo, kind: 'Unschedulable' | 'Error', message: string): void {
    if (!this.queue.isTracked(info.key)) return; // deleted or bound meanwhile
    if (!this.nominator.nodeFor(info.pod.metadata?.uid ?? '')) this.nominator.update(info.pod);
    this.report(info, kind === 'Error' ? 'error' : 'unschedulable');
    this.log.debug('pod not scheduled', { pod: info.key, message });
    recordFailure(this.client, this.recorder, this.log, info.pod, kind, message);
    this.queue.addUnschedulableIfNotPresent(info, kind === 'Unschedulable');
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
