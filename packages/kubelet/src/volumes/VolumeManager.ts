import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import {
  ApiError,
  ignoreNotFound,
  resources,
  type ApiClient,
  type Clock,
  type Logger,
  type Mount,
  type corev1,
} from '@tugboat/core';

import { podDir, volumeDir } from '../internal/paths.js';
import { writeAtomically, type FileProjection } from './AtomicWriter.js';
import { checkHostPath } from './checkHostPath.js';
import {
  aggregate,
  configMapPayload,
  defaultFileMode,
  downwardApiPayload,
  secretPayload,
} from './payloads.js';
import { asFailure, MountFailure } from './MountFailure.js';
import { PodVolumePaths } from './PodVolumePaths.js';
import { TokenManager } from './TokenManager.js';

import { containerMounts } from './containerMounts.js';

export { containerMounts, type ContainerMountsOptions } from './containerMounts.js';
export { PodVolumePaths } from './PodVolumePaths.js';

/** Options of a {@link VolumeManager}. */
export interface VolumeManagerOptions {
  readonly client: ApiClient;
  readonly rootDir: string;
  readonly nodeName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The node's allocatable, for downwardAPI `resourceFieldRef` files of limits a container leaves unset. */
  readonly nodeAllocatable?: () => Readonly<Record<string, string>> | undefined;
}

/**
 * Prepares a pod's volumes as directories on the host, as the kubelet's volume manager and its
 * plugins do (simplified: no block devices or network filesystems). `emptyDir` is a directory
 * under the pod dir (medium `Memory` too: a plain directory, not a tmpfs); `hostPath` is the host
 * path itself, checked by `type`; `configMap`, `secret`, `downwardAPI` and `projected` (with
 * ServiceAccount tokens from the TokenRequest API) are files written atomically through a `..data`
 * symlink, refreshed on every {@link setupPod} of a running pod. Other sources
 * (persistentVolumeClaim, nfs, …) fail with a FailedMount error naming them.
 */
export class VolumeManager {
  private readonly tokens: TokenManager;
  /** Serialises the setups and teardowns of one pod. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly options: VolumeManagerOptions) {
    this.tokens = new TokenManager(options.client, options.clock);
  }

  /**
   * Makes every volume of the pod ready on the host (or brings its content up to date) and
   * resolves each volume's host path by name (a {@link PodVolumePaths}, which also knows the pod's
   * directory for `containerMounts`). On failure throws an `ApiError` whose message is
   * upstream's FailedMount event message, `MountVolume.SetUp failed for volume "v" : configmap "x"
   * not found`, and whose `details` name the volume (`name`) and hold the bare cause
   * (`causes[0].message`); the other volumes are still set up.
   */
  setupPod(pod: corev1.Pod): Promise<PodVolumePaths> {
    return this.serialised(pod.metadata?.uid ?? '', () => this.setup(pod));
  }

  /** Removes the pod's directory and everything in it, never following a symlink out. Idempotent. */
  teardownPod(podUid: string): Promise<void> {
    return this.serialised(podUid, async () => {
      this.tokens.forgetPod(podUid);
      if (podUid === '' || podUid.includes('/') || podUid === '.' || podUid === '..') return;
      await rm(podDir(this.options.rootDir, podUid), { recursive: true, force: true });
    });
  }

  /**
   * {@link containerMounts} with this manager's rootDir, so the container's termination-message
   * file is mounted too; `env` expands `subPathExpr`. Call it right before creating each container
   * instance (it empties the termination-message file).
   */
  containerMounts(
    pod: corev1.Pod,
    container: corev1.Container,
    volumePaths: ReadonlyMap<string, string>,
    env?: readonly { readonly key: string; readonly value: string }[],
  ): Promise<Mount[]> {
    return containerMounts(pod, container, volumePaths, {
      rootDir: this.options.rootDir,
      ...(env !== undefined ? { env } : {}),
    });
  }

  /** The uids of pods that have a directory on disk (to clean up after a restart). */
  async listPodUids(): Promise<string[]> {
    const entries = await readdir(join(this.options.rootDir, 'pods'), { withFileTypes: true }).catch(
      (err: unknown) => {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') return [];
        throw new ApiError('Internal', `unable to list pod directories: ${e.message}`, {}, { cause: err });
      },
    );
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  private async setup(pod: corev1.Pod): Promise<PodVolumePaths> {
    const uid = pod.metadata?.uid ?? '';
    if (uid === '') throw new ApiError('Invalid', 'the pod has no uid');
    const dir = podDir(this.options.rootDir, uid);
    await mkdir(join(dir, 'volumes'), { recursive: true });
    const paths = new PodVolumePaths(dir);
    let first: ApiError | undefined;
    for (const volume of pod.spec?.volumes ?? []) {
      try {
        paths.set(volume.name, await this.setupVolume(pod, uid, volume));
      } catch (err) {
        const failure = asFailure(err);
        this.options.logger.warn('volume setup failed', {
          pod: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`,
          volume: volume.name,
          error: failure.message,
        });
        first ??= new ApiError(
          failure.code,
          `MountVolume.SetUp failed for volume "${volume.name}" : ${failure.message}`,
          {
            name: volume.name,
            kind: 'Volume',
            causes: [{ reason: 'FailedMount', field: volume.name, message: failure.message }],
          },
          { cause: err },
        );
      }
    }
    if (first !== undefined) throw first;
    return paths;
  }

  private async setupVolume(pod: corev1.Pod, uid: string, volume: corev1.Volume): Promise<string> {
    const dir = volumeDir(this.options.rootDir, uid, volume.name);
    if (volume.hostPath !== undefined) {
      await checkHostPath(volume.hostPath.path, volume.hostPath.type ?? '');
      return volume.hostPath.path;
    }
    const payload = await this.payload(pod, volume);
    if (payload === undefined) {
      const source =
        volume.emptyDir !== undefined
          ? undefined
          : Object.entries(volume).find(([k, v]) => k !== 'name' && v !== undefined && v !== null)?.[0];
      // A source left unimplemented must not pass for an empty directory and lose the user's data.
      if (source !== undefined)
        throw new MountFailure(`volume source ${source} is not supported by this node agent`, 'Invalid');
      await mkdir(dir, { recursive: true });
      // Upstream's emptyDir is world-writable whatever the umask.
      await chmod(dir, 0o777);
      return dir;
    }
    await writeAtomically(dir, payload, this.options.clock.now());
    return dir;
  }

  /** The files of a file-backed volume; `undefined` for a plain directory (emptyDir). */
  private async payload(
    pod: corev1.Pod,
    volume: corev1.Volume,
  ): Promise<Map<string, FileProjection> | undefined> {
    if (volume.configMap !== undefined) {
      const src = volume.configMap;
      return configMapPayload(
        src.items,
        (await this.configMap(pod, src.name ?? '', src.optional)) ?? {},
        src.defaultMode ?? defaultFileMode,
        src.optional === true,
      );
    }
    if (volume.secret !== undefined) {
      const src = volume.secret;
      const secret = await this.secret(pod, src.secretName ?? '', src.optional);
      return secretPayload(
        src.items,
        secret ?? {},
        src.defaultMode ?? defaultFileMode,
        src.optional === true,
      );
    }
    if (volume.downwardAPI !== undefined) {
      const src = volume.downwardAPI;
      return downwardApiPayload(
        src.items ?? [],
        pod,
        src.defaultMode ?? defaultFileMode,
        this.options.nodeAllocatable?.(),
      );
    }
    if (volume.projected !== undefined) return this.projected(pod, volume.projected);
    return undefined;
  }

  /** Upstream's projected `collectData`: all sources into one payload, every source's error collected. */
  private async projected(
    pod: corev1.Pod,
    src: corev1.ProjectedVolumeSource,
  ): Promise<Map<string, FileProjection>> {
    const mode = src.defaultMode ?? defaultFileMode;
    const payload = new Map<string, FileProjection>();
    const errors: string[] = [];
    let code: ApiError['code'] = 'Invalid';
    for (const source of src.sources ?? []) {
      try {
        let part: Map<string, FileProjection> | undefined;
        if (source.configMap !== undefined) {
          const s = source.configMap;
          const cm = await this.configMap(pod, s.name ?? '', s.optional);
          part = configMapPayload(s.items, cm ?? {}, mode, s.optional === true);
        } else if (source.secret !== undefined) {
          const s = source.secret;
          const secret = await this.secret(pod, s.name ?? '', s.optional);
          part = secretPayload(s.items, secret ?? {}, mode, s.optional === true);
        } else if (source.downwardAPI !== undefined) {
          part = downwardApiPayload(
            source.downwardAPI.items ?? [],
            pod,
            mode,
            this.options.nodeAllocatable?.(),
          );
        } else if (source.serviceAccountToken !== undefined) {
          const token = await this.tokens.token(pod, source.serviceAccountToken);
          part = new Map([[source.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode }]]);
        }
        for (const [k, v] of part ?? []) payload.set(k, v);
      } catch (err) {
        const failure = asFailure(err);
        if (errors.length === 0) code = failure.code;
        errors.push(failure.message);
      }
    }
    if (errors.length > 0) throw new MountFailure(aggregate(errors), code);
    return payload;
  }

  /** A ConfigMap of the pod's namespace; a missing one is an error unless optional. */
  private async configMap(
    pod: corev1.Pod,
    name: string,
    optional: boolean | undefined,
  ): Promise<corev1.ConfigMap | undefined> {
    const found = await this.options.client
      .get(resources.ConfigMaps, name, { namespace: pod.metadata?.namespace ?? 'default' })
      .catch(ignoreNotFound);
    if (found === undefined && optional !== true)
      throw new MountFailure(`configmap "${name}" not found`, 'NotFound');
    return found;
  }

  private async secret(
    pod: corev1.Pod,
    name: string,
    optional: boolean | undefined,
  ): Promise<corev1.Secret | undefined> {
    const found = await this.options.client
      .get(resources.Secrets, name, { namespace: pod.metadata?.namespace ?? 'default' })
      .catch(ignoreNotFound);
    if (found === undefined && optional !== true)
      throw new MountFailure(`secret "${name}" not found`, 'NotFound');
    return found;
  }

  private serialised<T>(uid: string, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(uid) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.locks.set(uid, settled);
    void settled.then(() => {
      if (this.locks.get(uid) === settled) this.locks.delete(uid);
    });
    return next;
  }
}
