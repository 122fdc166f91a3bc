import {
  ApiError,
  resources,
  type ApiClient,
  type Clock,
  type EventRecorder,
  type Logger,
  type Runtime,
  type corev1,
} from '@tugboat/core';

import type { EnvSources } from '../env/containerEnv.js';
import type { ImageManager } from '../images/ImageManager.js';
import type { Backoff } from './Backoff.js';
import { computePodActions, type PodActions, type Waiting } from './computePodActions.js';
import { killContainer, killPod, type KillContext } from './killPod.js';
import type { PodDns } from './PodDns.js';
import { podStatus } from './podStatus.js';
import { nameOf, readRuntimeState, type PodRuntimeState } from './runtimeState.js';
import { sandboxConfig } from './sandboxConfig.js';
import type { EnvBuilder, MountBuilder, PodProber, PodVolumes } from './seams.js';
import { startContainer } from './startContainer.js';
import type { StatusWriter } from './StatusWriter.js';

/** The collaborators of a {@link PodSyncer}. */
export interface PodSyncerContext {
  readonly nodeName: string;
  readonly hostIp: string;
  readonly rootDir: string;
  readonly client: ApiClient;
  readonly runtime: Runtime;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  readonly clock: Clock;
  readonly prober: PodProber;
  readonly volumes: PodVolumes;
  readonly env: EnvBuilder;
  readonly mounts: MountBuilder;
  readonly sources: EnvSources;
  readonly statuses: StatusWriter;
  /** CrashLoopBackOff per `<uid>/<container>`; image pulls, config errors and mounts use `pulls`. */
  readonly crashBackoff: Backoff;
  readonly pulls: Backoff;
  /** Image pulls with the pod's credentials, shared by every pod. */
  readonly images: ImageManager;
  readonly resetAfterMs: number;
  /** The pods' resolver configurations (absent: the runtime's default). */
  readonly dns?: PodDns;
}

/** The result of one sync: when to sync again without a trigger. */
export interface SyncResult {
  readonly requeueAfterMs?: number;
}

/**
 * Executes a pod's sync, as upstream's `SyncPod`/`SyncTerminatingPod`: computes the actions, runs
 * them (volumes, sandbox, kills, image pulls, container starts), hands the running containers to the
 * prober and writes the status; terminates pods being deleted and cleans up pods that are gone.
 */
export class PodSyncer {
  /** Sandbox id → pod uid, so a container event finds its pod. */
  private readonly owners = new Map<string, string>();

  constructor(private readonly ctx: PodSyncerContext) {}

  /** The uid of the pod a sandbox belongs to, if this syncer has seen it. */
  sandboxOwner(sandboxId: string): string | undefined {
    return this.owners.get(sandboxId);
  }

  private own(uid: string, state: PodRuntimeState): void {
    for (const sb of state.sandboxes) this.owners.set(sb.id, uid);
  }

  private killContext(podIp: string | undefined): KillContext {
    const { runtime, recorder, log, clock } = this.ctx;
    return { runtime, recorder, log, now: () => clock.now(), podIp };
  }

  /** Brings the runtime in line with a pod bound to this node and reports its status. */
  async sync(pod: corev1.Pod): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const state = await readRuntimeState(this.ctx.runtime, uid);
    this.own(uid, state);
    if (pod.metadata?.deletionTimestamp) {
      await this.terminate(pod, state);
      return {};
    }
    const phase = this.ctx.statuses.latest(pod).status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // A finished pod keeps its final status; only make sure nothing of it still runs.
      await this.stopSandboxes(state);
      return {};
    }
    const liveness = new Map<string, string>();
    for (const c of state.containers)
      if (c.state === 'CONTAINER_RUNNING' && c.podSandboxId === state.current?.id) {
        const restart = this.ctx.prober.takeRestart(uid, nameOf(c), c.id);
        if (restart) liveness.set(c.id, restart.message);
      }
    const actions = computePodActions({
      pod,
      state,
      livenessFailures: liveness,
      resetAfterMs: this.ctx.resetAfterMs,
      backoff: {
        remaining: (name, since) =>
          this.ctx.crashBackoff.remaining(`${uid}/${name}`, since, this.ctx.clock.now()),
        delay: (name) => this.ctx.crashBackoff.delay(`${uid}/${name}`),
      },
    });
    for (const [name, w] of actions.waiting)
      if (w.reason === 'CrashLoopBackOff')
        this.ctx.recorder.event(
          pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${name} in pod ${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${uid})`,
        );
    const { waiting, requeueAfterMs } = await this.execute(pod, state, actions);
    const after =
      actions.terminal ||
      actions.createSandbox ||
      actions.kill.length + actions.start.length + actions.remove.length > 0
        ? await readRuntimeState(this.ctx.runtime, uid)
        : state;
    const podIp = pod.spec?.hostNetwork ? this.ctx.hostIp : after.current?.ip;
    // A finished pod has nothing running, so this also ends its probes.
    this.ctx.prober.syncPod(
      pod,
      after.containers
        .filter((c) => c.state === 'CONTAINER_RUNNING' && c.podSandboxId === after.current?.id)
        .map((c) => ({ name: nameOf(c), containerId: c.id, startedAt: c.startedAt })),
      podIp,
    );
    await this.writeStatus(pod, after, waiting);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : {};
  }

  /** Computes and writes the pod's status from the runtime state. */
  async writeStatus(
    pod: corev1.Pod,
    state: PodRuntimeState,
    waiting: ReadonlyMap<string, Waiting>,
  ): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const base = this.ctx.statuses.latest(pod);
    const status = podStatus({
      pod: base,
      state,
      waiting,
      isReady: (name) => this.ctx.prober.isReady(uid, name),
      isStarted: (name) => this.ctx.prober.isStarted(uid, name),
      runtimeName: this.ctx.runtime.name,
      hostIp: this.ctx.hostIp,
      now: this.ctx.clock.now(),
    });
    await this.ctx.statuses.write(base, status);
  }

  private async execute(
    pod: corev1.Pod,
    state: PodRuntimeState,
    actions: PodActions,
  ): Promise<{ waiting: Map<string, Waiting>; requeueAfterMs?: number }> {
    const { runtime, clock } = this.ctx;
    const uid = pod.metadata?.uid ?? '';
    const waiting = new Map(actions.waiting);
    let requeue = actions.requeueAfterMs;
    const later = (ms: number | undefined): void => {
      if (ms !== undefined && ms > 0) requeue = requeue === undefined ? ms : Math.min(requeue, ms);
    };
    for (const id of actions.remove) await runtime.removeContainer(id);
    for (const id of actions.removeSandboxes) await runtime.removePodSandbox(id);
    if (actions.terminal) {
      await this.stopSandboxes(state);
      return { waiting };
    }
    const byId = new Map(state.containers.map((c) => [c.id, c]));
    const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
    const kill = this.killContext(state.current?.ip);
    await Promise.all(
      actions.kill.map(async (k) => {
        const c = byId.get(k.id);
        if (c) await killContainer(kill, pod, c, grace, k.message);
      }),
    );
    if (!actions.createSandbox && actions.start.length === 0)
      return { waiting, ...(requeue ? { requeueAfterMs: requeue } : {}) };

    let volumePaths: ReadonlyMap<string, string>;
    try {
      volumePaths = await this.ctx.volumes.setupPod(pod);
      this.ctx.pulls.reset(`${uid}/volumes`);
    } catch (err) {
      if (!ApiError.is(err) || err.code === 'Unavailable') throw err;
      this.ctx.recorder.event(pod, 'Warning', 'FailedMount', err.message);
      later(this.ctx.pulls.next(`${uid}/volumes`, clock.now()));
      return { waiting, ...(requeue ? { requeueAfterMs: requeue } : {}) };
    }

    const dns = await this.ctx.dns?.forPod(pod);
    const sbConfig = sandboxConfig(pod, this.ctx.rootDir, actions.sandboxAttempt, dns?.dnsConfig);
    let sandboxId = state.current?.id ?? '';
    let podIp = pod.spec?.hostNetwork ? this.ctx.hostIp : state.current?.ip;
    if (actions.createSandbox) {
      if (state.current) {
        this.ctx.recorder.event(
          pod,
          'Normal',
          'SandboxChanged',
          'Pod sandbox changed, it will be killed and re-created.',
        );
        await runtime.stopPodSandbox(state.current.id).catch((err: unknown) => {
          if (!ApiError.is(err, 'NotFound')) throw err;
        });
      }
      for (const w of dns?.warnings ?? []) this.ctx.recorder.event(pod, 'Warning', w.reason, w.message);
      sandboxId = await runtime.runPodSandbox(sbConfig);
      this.owners.set(sandboxId, uid);
      if (!pod.spec?.hostNetwork) podIp = (await runtime.podSandboxStatus(sandboxId)).ip;
    }
    for (const action of actions.start) {
      const key = `${uid}/${action.name}`;
      if (action.restart) {
        const last = state.containers.find(
          (c) => nameOf(c) === action.name && c.state !== 'CONTAINER_RUNNING',
        );
        if (last && last.startedAt > 0 && last.finishedAt - last.startedAt >= this.ctx.resetAfterMs)
          this.ctx.crashBackoff.reset(key);
        this.ctx.crashBackoff.next(key, clock.now());
      }
      const result = await startContainer(
        {
          runtime,
          recorder: this.ctx.recorder,
          backoff: this.ctx.pulls,
          images: this.ctx.images,
          now: () => clock.now(),
          env: this.ctx.env,
          mounts: this.ctx.mounts,
          sources: this.ctx.sources,
          nodeName: this.ctx.nodeName,
          hostIp: this.ctx.hostIp,
          podIp,
          sandboxId,
          sandboxConfig: sbConfig,
          volumePaths,
        },
        pod,
        action,
      );
      if (result.waiting) {
        waiting.set(action.name, result.waiting);
        later(result.retryAfterMs);
        // Init containers run one at a time: a failed one holds back the rest.
        if (action.init) break;
      }
    }
    return { waiting, ...(requeue ? { requeueAfterMs: requeue } : {}) };
  }

  private async stopSandboxes(state: PodRuntimeState): Promise<void> {
    for (const sb of state.sandboxes)
      if (sb.state === 'SANDBOX_READY') await this.ctx.runtime.stopPodSandbox(sb.id);
  }

  /**
   * Stops a pod being deleted (preStop, SIGTERM, SIGKILL after the grace period), removes its
   * sandboxes, volumes and probe workers, then finishes the deletion in the API.
   */
  async terminate(pod: corev1.Pod, state: PodRuntimeState): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    await killPod(this.killContext(state.current?.ip), pod, state, true);
    await this.cleanup(uid);
    try {
      await this.ctx.client.delete(resources.Pods, pod.metadata?.name ?? '', {
        namespace: pod.metadata?.namespace,
        gracePeriodSeconds: 0,
        preconditions: { uid },
      });
    } catch (err) {
      // Gone already, or a new pod of the same name: nothing left to finish.
      if (!ApiError.is(err, 'NotFound', 'Conflict')) throw err;
    }
  }

  /** Kills and removes what the runtime still runs of a pod deleted from the API outright. */
  async removeGone(pod: corev1.Pod | undefined, uid: string): Promise<void> {
    const state = await readRuntimeState(this.ctx.runtime, uid);
    if (pod) {
      const now = { ...pod, metadata: { ...pod.metadata, deletionGracePeriodSeconds: 0 } };
      await killPod(this.killContext(state.current?.ip), now, state, true);
    } else for (const sb of state.sandboxes) await this.ctx.runtime.removePodSandbox(sb.id);
    await this.cleanup(uid);
  }

  private async cleanup(uid: string): Promise<void> {
    for (const [id, owner] of this.owners) if (owner === uid) this.owners.delete(id);
    await this.ctx.volumes.teardownPod(uid);
    this.ctx.prober.removePod(uid);
    this.ctx.crashBackoff.forgetPrefix(`${uid}/`);
    this.ctx.pulls.forgetPrefix(`${uid}/`);
    this.ctx.statuses.forget(uid);
  }
}
