import { ApiError, type ContainerConfig, type PodSandboxConfig, type corev1 } from '@tugboat/core';

import type { EnvSources } from '../env/containerEnv.js';
import { containerLogPath } from '../internal/paths.js';
import type { StartAction, Waiting } from './computePodActions.js';
import { containerResources } from './containerResources.js';
import { ensureImage, type ImagePullContext } from './imagePull.js';
import { containerHash, podLabels, runtimeLabels } from './runtimeLabels.js';
import type { EnvBuilder, MountBuilder } from './seams.js';

/** What starting a container needs beside the action. */
export interface StartContext extends ImagePullContext {
  readonly env: EnvBuilder;
  readonly mounts: MountBuilder;
  readonly sources: EnvSources;
  readonly nodeName: string;
  readonly hostIp: string;
  readonly podIp: string | undefined;
  readonly sandboxId: string;
  readonly sandboxConfig: PodSandboxConfig;
  readonly volumePaths: ReadonlyMap<string, string>;
}

/** The outcome of {@link startContainer}: started, or why not and when to try again (0: on the next sync). */
export type StartResult = { readonly waiting?: Waiting; readonly retryAfterMs?: number };

/** The runtime config of a container instance: command, env, mounts, labels, log path and resources. */
export function containerConfig(
  pod: corev1.Pod,
  spec: corev1.Container,
  restartCount: number,
  envs: readonly { key: string; value: string }[],
  mounts: ContainerConfig['mounts'],
): ContainerConfig {
  return {
    metadata: { name: spec.name, attempt: restartCount },
    image: spec.image ?? '',
    ...(spec.command ? { command: spec.command } : {}),
    ...(spec.args ? { args: spec.args } : {}),
    ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
    envs,
    ...(mounts ? { mounts } : {}),
    labels: { ...podLabels(pod), [runtimeLabels.containerName]: spec.name },
    annotations: {
      [runtimeLabels.restartCount]: String(restartCount),
      [runtimeLabels.hash]: containerHash(spec),
      [runtimeLabels.terminationMessagePath]: spec.terminationMessagePath ?? '/dev/termination-log',
      [runtimeLabels.terminationGracePeriod]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    logPath: containerLogPath(spec.name, restartCount),
    ...(spec.stdin ? { stdin: true } : {}),
    ...(spec.stdinOnce ? { stdinOnce: true } : {}),
    ...(spec.tty ? { tty: true } : {}),
    resources: containerResources(spec),
  };
}

/**
 * Starts one container instance as upstream's `startContainer`: the image under its pull policy,
 * the environment and mounts (a missing ConfigMap or Secret is CreateContainerConfigError), then
 * create and start with the Created/Started events. A start the runtime refuses (unknown command)
 * is RunContainerError; the instance stays exited with reason StartError and restarts with backoff.
 */
export async function startContainer(
  ctx: StartContext,
  pod: corev1.Pod,
  action: StartAction,
): Promise<StartResult> {
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (c) => c.name === action.name,
  );
  if (!spec) return {};
  const image = await ensureImage(ctx, pod, spec);
  if (!image.ok) return { waiting: image.waiting, retryAfterMs: image.retryAfterMs };

  const configKey = `${pod.metadata?.uid ?? ''}/config/${spec.name}`;
  let config: ContainerConfig;
  try {
    const envs = await ctx.env(pod, spec, {
      sources: ctx.sources,
      nodeName: ctx.nodeName,
      hostIp: ctx.hostIp,
      podIp: ctx.podIp,
    });
    const mounts = await ctx.mounts(pod, spec, ctx.volumePaths);
    config = containerConfig(pod, spec, action.restartCount, envs, mounts);
    ctx.backoff.reset(configKey);
  } catch (err) {
    if (!ApiError.is(err, 'Invalid', 'NotFound', 'BadRequest')) throw err;
    ctx.recorder.event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
    return {
      waiting: { reason: 'CreateContainerConfigError', message: err.message },
      retryAfterMs: ctx.backoff.next(configKey, ctx.now()),
    };
  }

  let id: string;
  try {
    id = await ctx.runtime.createContainer(ctx.sandboxId, config, ctx.sandboxConfig);
  } catch (err) {
    if (!ApiError.is(err) || err.code === 'Unavailable' || err.code === 'Timeout') throw err;
    const message = err.message;
    ctx.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`);
    return { waiting: { reason: 'CreateContainerError', message }, retryAfterMs: 0 };
  }
  ctx.recorder.event(pod, 'Normal', 'Created', `Created container ${spec.name}`);
  try {
    await ctx.runtime.startContainer(id);
  } catch (err) {
    if (!ApiError.is(err) || err.code === 'Unavailable' || err.code === 'Timeout') throw err;
    ctx.recorder.event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
    return { waiting: { reason: 'RunContainerError', message: err.message }, retryAfterMs: 0 };
  }
  ctx.recorder.event(pod, 'Normal', 'Started', `Started container ${spec.name}`);
  return {};
}
