import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

import { ApiError, type Mount, type corev1 } from '@tugboat/core';

import { expandVars } from '../env/expandVars.js';
import { PodVolumePaths } from './PodVolumePaths.js';
import { terminationMessageFile, terminationMessageFileIn } from './terminationMessageFile.js';

/** Volume types upstream always mounts read-only (their mounters say ReadOnly). */
const readOnlyTypes = ['configMap', 'secret', 'downwardAPI', 'projected'] as const;

/** Options of {@link containerMounts}. */
export interface ContainerMountsOptions {
  /**
   * The kubelet's rootDir, where the termination-message file goes. Not needed when `volumePaths`
   * came from `VolumeManager.setupPod` (a {@link PodVolumePaths} knows its pod's directory);
   * without either, no termination-message mount is added.
   */
  readonly rootDir?: string;
  /** The container's environment, for `subPathExpr` expansion. */
  readonly env?: readonly { readonly key: string; readonly value: string }[];
}

/**
 * The runtime mounts of a container, as upstream's `makeMounts`: one per `volumeMount` (host path
 * from `volumePaths`, `subPath`/`subPathExpr` joined and created if absent, read-only when asked or
 * when the volume is a configMap, secret, downwardAPI or projected one), plus its
 * `terminationMessagePath` backed by {@link terminationMessageFile}, emptied for the new instance
 * (so call it right before creating each instance). Rejects with `ApiError` `Invalid` with upstream's message for an
 * unknown volume, an absolute subPath, a `..` in it, or one that leads out of its volume.
 *
 * The termination-log file is written asynchronously: with a hundred kubelets in one process,
 * synchronous writes of one file per container stalled every other component's event loop.
 */
export async function containerMounts(
  pod: corev1.Pod,
  container: corev1.Container,
  volumePaths: ReadonlyMap<string, string>,
  options: ContainerMountsOptions = {},
): Promise<Mount[]> {
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const volumePath = volumePaths.get(vm.name);
    if (volumePath === undefined)
      throw invalid(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    const volume = volumes.get(vm.name);
    const forcedReadOnly = volume !== undefined && readOnlyTypes.some((t) => volume[t] !== undefined);
    let subPath = vm.subPath ?? '';
    if (vm.subPathExpr) subPath = expandSubPath(vm.subPathExpr, options.env ?? []);
    let hostPath = volumePath;
    if (subPath !== '') hostPath = subPathHostPath(volumePath, subPath, vm, container);
    mounts.push({
      containerPath: vm.mountPath,
      hostPath,
      ...(vm.readOnly === true || forcedReadOnly ? { readonly: true } : {}),
    });
  }
  const terminationPath = container.terminationMessagePath ?? '/dev/termination-log';
  const file =
    options.rootDir !== undefined
      ? terminationMessageFile(options.rootDir, pod.metadata?.uid ?? '', container.name)
      : volumePaths instanceof PodVolumePaths
        ? terminationMessageFileIn(volumePaths.podDir, container.name)
        : undefined;
  if (file !== undefined && terminationPath !== '') {
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, '');
      // Whatever user the container runs as may write its message.
      await chmod(file, 0o666);
    } catch (err) {
      throw new ApiError(
        'Internal',
        `unable to create the termination-log file ${file}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
    mounts.push({ containerPath: terminationPath, hostPath: file });
  }
  return mounts;
}

function invalid(message: string): ApiError {
  return new ApiError('Invalid', message);
}

/** Upstream's `ExpandContainerVolumeMounts`: every referenced variable must have a value. */
function expandSubPath(expr: string, env: readonly { key: string; value: string }[]): string {
  const values = new Map(env.map((e) => [e.key, e.value]));
  const missing = new Set<string>();
  const expanded = expandVars(expr, (name) => {
    const value = values.get(name);
    if (value === undefined || value === '') missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) throw invalid(`missing value for ${[...missing].sort().join(', ')}`);
  return expanded;
}

function subPathHostPath(
  volumePath: string,
  subPath: string,
  vm: corev1.VolumeMount,
  container: corev1.Container,
): string {
  if (isAbsolute(subPath)) throw invalid(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..'))
    throw invalid(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const joined = join(volumePath, subPath);
  try {
    if (!existsSync(joined)) {
      // Created now with the volume's mode, as upstream, so it does not appear later owned by root 0755.
      mkdirSync(joined, { recursive: true, mode: statSync(volumePath).mode & 0o7777 });
    }
  } catch (err) {
    throw new ApiError(
      'Invalid',
      `failed to create subPath directory for volumeMount "${vm.name}" of container "${container.name}"`,
      {},
      { cause: err },
    );
  }
  // A symlink inside the volume must not lead the mount out of it (upstream's safe subpath).
  let real: string;
  let realVolume: string;
  try {
    real = realpathSync(joined);
    realVolume = realpathSync(volumePath);
  } catch (err) {
    throw new ApiError(
      'Invalid',
      `subpath "${joined}" not within volume path "${volumePath}"`,
      {},
      { cause: err },
    );
  }
  const rel = relative(realVolume, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw invalid(`subpath "${real}" not within volume path "${realVolume}"`);
  return real;
}
