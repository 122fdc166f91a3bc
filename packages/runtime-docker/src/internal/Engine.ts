import type Docker from 'dockerode';
import { ApiError, imagePullError } from '@tugboat/core';

import { withDeadline } from './deadline.js';
import { engineMessage, hasStatus, type CallContext } from './errors.js';
import { labelFilters, labelKeys, labelsOf, runtimeLabelValue } from './labels.js';

/** What a Docker container is to Tugboat. */
export type Kind = 'sandbox' | 'container';

/**
 * The Engine calls the runtime makes, each under a deadline, with errors translated and Docker's
 * containers told apart from Tugboat's by their labels.
 */
export class Engine {
  constructor(
    readonly docker: Docker,
    readonly socketPath: string,
    readonly callTimeoutMs: number,
  ) {}

  /** Runs one call under the deadline (the default call timeout unless `ms` is given). */
  call<T>(
    ctx: Omit<CallContext, 'socketPath'>,
    run: (signal: AbortSignal) => Promise<T>,
    ms = this.callTimeoutMs,
  ): Promise<T> {
    return withDeadline({ socketPath: this.socketPath, ...ctx }, ms, run);
  }

  /** Creates a container; a missing image is the typed `ImagePull` error with reason `NotFound`. */
  async create(spec: Docker.ContainerCreateOptions, image: string, name: string): Promise<string> {
    try {
      const c = await this.call({ kind: 'container', name }, (signal) =>
        this.docker.createContainer({ ...spec, abortSignal: signal }),
      );
      return c.id;
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (hasStatus(cause, 404) && /no such image/i.test(engineMessage(cause))) {
        throw imagePullError(
          image,
          'NotFound',
          'the image is not present (the runtime does not pull implicitly)',
          err,
        );
      }
      throw err;
    }
  }

  /** Inspects a sandbox or container of this runtime; anything else is `NotFound`. */
  async inspectOwned(id: string, kind: Kind): Promise<Docker.ContainerInspectInfo> {
    if (!id) throw new ApiError('NotFound', `${kind} "" not found`, { name: id, kind });
    const info = await this.call({ kind, name: id }, (signal) =>
      this.docker.getContainer(id).inspect({ abortSignal: signal }),
    );
    const labels = labelsOf(info.Config);
    // A Docker container that Tugboat did not make is not a sandbox or container of this runtime.
    if (labels[labelKeys.runtime] !== runtimeLabelValue || labels[labelKeys.kind] !== kind) {
      throw new ApiError('NotFound', `${kind} "${id}" not found`, { name: id, kind });
    }
    return info;
  }

  /** Lists this runtime's sandboxes or containers carrying the extra label filters and selector. */
  list(
    kind: Kind,
    extra: string[],
    selector?: Readonly<Record<string, string>>,
  ): Promise<Docker.ContainerInfo[]> {
    return this.call({ kind }, (signal) =>
      this.docker.listContainers({
        all: true,
        filters: { label: [...labelFilters(kind, selector), ...extra] },
        abortSignal: signal,
      }),
    );
  }

  /** Stops a container; one that is not running is fine. */
  async stop(id: string, timeoutSeconds: number, kind: Kind): Promise<void> {
    try {
      // The Engine's stop sends the stop signal (SIGTERM), waits `t` seconds, then SIGKILLs.
      await this.call(
        { kind, name: id },
        (signal) => this.docker.getContainer(id).stop({ t: timeoutSeconds, abortSignal: signal }),
        timeoutSeconds * 1000 + this.callTimeoutMs,
      );
    } catch (err) {
      if (!hasStatus((err as { cause?: unknown }).cause, 304)) throw err;
    }
  }

  /** Removes a container, killing it if it runs; one that is already gone is fine. */
  async remove(id: string): Promise<void> {
    try {
      await this.call({ kind: 'container', name: id }, (signal) =>
        this.docker.getContainer(id).remove({ force: true, abortSignal: signal }),
      );
    } catch (err) {
      if (!hasStatus((err as { cause?: unknown }).cause, 404)) throw err;
    }
  }
}
