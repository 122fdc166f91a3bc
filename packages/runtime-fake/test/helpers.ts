import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ContainerConfig, PodSandboxConfig } from '@tugboat/core';

const dirs: string[] = [];

/** A sandbox config with a fresh log directory (removed by {@link removeLogDirs}). */
export function sandboxConfig(name = 'pod', extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const logDirectory = mkdtempSync(path.join(os.tmpdir(), 'tug-fake-'));
  dirs.push(logDirectory);
  return { metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 }, logDirectory, ...extra };
}

/** Removes every log directory made by {@link sandboxConfig}. */
export function removeLogDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A container config of busybox with the given command. */
export function containerConfig(
  name: string,
  command?: readonly string[],
  extra: Partial<ContainerConfig> = {},
): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: 'busybox:1.35',
    ...(command ? { command } : {}),
    logPath: `${name}/0.log`,
    ...extra,
  };
}
