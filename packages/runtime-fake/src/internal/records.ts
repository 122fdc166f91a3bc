import type { ContainerConfig, ContainerState, PodSandboxConfig, PodSandboxState } from '@tugboat/core';

import type { FakeBehaviour } from '../FakeBehaviour.js';
import type { AttachHub } from './AttachHub.js';
import type { FakeImageSpec } from './ImageStore.js';
import type { LogWriter } from './LogWriter.js';
import type { Proc } from './Proc.js';

/** A sandbox as the fake daemon keeps it. */
export interface SandboxRecord {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly ip: string;
  state: PodSandboxState;
  readonly containers: Set<string>;
}

/** A container as the fake daemon keeps it; the process and log exist only while needed. */
export interface ContainerRecord {
  readonly id: string;
  readonly podSandboxId: string;
  readonly config: ContainerConfig;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly imageRef: string;
  readonly logPath: string;
  readonly hostname: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly createdAt: number;
  state: ContainerState;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason?: string;
  message?: string;
  /** The image config the container started from (its env, working dir). */
  image?: FakeImageSpec;
  /** Files the container's commands wrote (`echo ok > /tmp/ready`). */
  files?: Map<string, string>;
  behaviour?: FakeBehaviour;
  proc?: Proc;
  log?: LogWriter;
  /** Attached clients and the main process's stdin, made on first attach or for a `stdin` container. */
  attached?: AttachHub;
  /** Memory the main process allocated before it ended, for stats. */
  allocated?: number;
}
