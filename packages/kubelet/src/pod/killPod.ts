import {
  ApiError,
  type ContainerStatus,
  type EventRecorder,
  type Logger,
  type Runtime,
  type corev1,
} from '@tugboat/core';

import type { PodRuntimeState } from './runtimeState.js';
import { nameOf } from './runtimeState.js';

/** What {@link killPod} needs from the kubelet. */
export interface KillContext {
  readonly runtime: Runtime;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  readonly now: () => number;
  readonly podIp: string | undefined;
}

/** The grace period of a pod being stopped: the deletion's, else the spec's, else 30 s. */
export function gracePeriodSeconds(pod: corev1.Pod): number {
  return Math.max(
    0,
    pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30,
  );
}

function specOf(pod: corev1.Pod, name: string): corev1.Container | undefined {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
}

/** Runs a container's preStop hook (exec or httpGet; the sleep action is not supported); failures are logged and evented, never fatal. */
async function preStop(
  ctx: KillContext,
  pod: corev1.Pod,
  spec: corev1.Container,
  c: ContainerStatus,
  timeoutSeconds: number,
): Promise<void> {
  const hook = spec.lifecycle?.preStop;
  if (!hook || timeoutSeconds <= 0) return;
  try {
    if (hook.exec?.command) {
      const r = await ctx.runtime.execSync(c.id, hook.exec.command, timeoutSeconds);
      if (r.exitCode !== 0)
        throw new ApiError('Internal', `command '${hook.exec.command.join(' ')}' exited with ${r.exitCode}`);
    } else if (hook.httpGet) {
      const g = hook.httpGet;
      const port =
        typeof g.port === 'number'
          ? g.port
          : Number(spec.ports?.find((p) => p.name === g.port)?.containerPort);
      const host = g.host ?? ctx.podIp ?? '127.0.0.1';
      const path = g.path ?? '/';
      const url = `${(g.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${path.startsWith('/') ? '' : '/'}${path}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
      await res.arrayBuffer();
      if (res.status >= 400)
        throw new ApiError('Internal', `HTTP lifecycle hook (${path}) failed with status ${res.status}`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.log.info('preStop hook failed', { pod: pod.metadata?.name, container: spec.name, error: message });
    ctx.recorder.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${message}`);
  }
}

/**
 * Stops one running container as upstream's `killContainer`: the preStop hook within the grace
 * period, then SIGTERM and SIGKILL once the rest of the grace period has passed.
 */
export async function killContainer(
  ctx: KillContext,
  pod: corev1.Pod,
  c: ContainerStatus,
  graceSeconds: number,
  message: string,
): Promise<void> {
  const name = nameOf(c);
  ctx.recorder.event(pod, 'Normal', 'Killing', message);
  const spec = specOf(pod, name);
  const started = ctx.now();
  if (spec) await preStop(ctx, pod, spec, c, graceSeconds);
  // Upstream gives SIGTERM at least 2 s even when the hook used the whole period.
  const left = Math.max(graceSeconds > 0 ? 2 : 0, graceSeconds - Math.floor((ctx.now() - started) / 1000));
  await ctx.runtime.stopContainer(c.id, left);
}

/**
 * Stops every running container of a pod (in parallel, each with its preStop hook and the grace
 * period), then its sandboxes. With `remove`, removes the sandboxes and so every container.
 */
export async function killPod(
  ctx: KillContext,
  pod: corev1.Pod,
  state: PodRuntimeState,
  remove: boolean,
): Promise<void> {
  const grace = gracePeriodSeconds(pod);
  const running = state.containers.filter((c) => c.state === 'CONTAINER_RUNNING');
  await Promise.all(running.map((c) => killContainer(ctx, pod, c, grace, `Stopping container ${nameOf(c)}`)));
  for (const sb of state.sandboxes) {
    if (sb.state === 'SANDBOX_READY') await ctx.runtime.stopPodSandbox(sb.id);
    if (remove) await ctx.runtime.removePodSandbox(sb.id);
  }
}
