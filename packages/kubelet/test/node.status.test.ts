import { describe, expect, it } from '@jest/globals';
import type { Image } from '@tugboat/core';

import { goArchOf, goOsOf, prettyName, type HostInfo } from '../src/node/hostInfo.js';
import { desiredNodeStatus, statusChanged, type NodeStatusInputs } from '../src/node/nodeStatus.js';

const host: HostInfo = {
  capacity: { cpu: '2', memory: '1024Ki', pods: '110' },
  operatingSystem: 'linux',
  architecture: 'amd64',
  machineID: 'm',
  systemUUID: '',
  bootID: 'b',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
};

function inputs(images: readonly Image[], ok = true): NodeStatusInputs {
  return {
    nodeName: 'n',
    address: '10.0.0.1',
    kubeletPort: 10250,
    host,
    runtime: ok
      ? { ok: true, runtimeName: 'containerd', runtimeVersion: '1.6.20', images }
      : { ok: false, error: 'connect ENOENT /run/containerd.sock' },
  };
}

describe('node status', () => {
  it('names architectures and systems as Go does', () => {
    expect(goArchOf('x64')).toBe('amd64');
    expect(goArchOf('arm64')).toBe('arm64');
    expect(goArchOf('ia32')).toBe('386');
    expect(goOsOf('linux')).toBe('linux');
    expect(goOsOf('win32')).toBe('windows');
  });

  it('reads PRETTY_NAME from os-release, quoted or not', () => {
    expect(prettyName('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(prettyName('PRETTY_NAME=Alpine')).toBe('Alpine');
    expect(prettyName('NAME=x')).toBeUndefined();
  });

  it('lists at most 50 images, largest first, with at most 5 names each', () => {
    const images: Image[] = Array.from({ length: 60 }, (_, i) => ({
      id: `sha256:${i}`,
      repoTags: Array.from({ length: 4 }, (__, t) => `img${i}:${t}`),
      repoDigests: [`img${i}@sha256:${i}`, `mirror/img${i}@sha256:${i}`],
      size: i,
    }));
    const status = desiredNodeStatus(inputs(images), undefined, 0);
    expect(status.images).toHaveLength(50);
    expect(status.images?.[0]).toEqual({
      names: ['img59@sha256:59', 'mirror/img59@sha256:59', 'img59:0', 'img59:1', 'img59:2'],
      sizeBytes: 59,
    });
    expect(status.images?.[49]?.sizeBytes).toBe(10);
  });

  it('keeps a condition transition time while its status holds, and moves it on a change', () => {
    const first = desiredNodeStatus(inputs([]), undefined, Date.parse('2026-01-01T00:00:00Z'));
    const same = desiredNodeStatus(inputs([]), first, Date.parse('2026-01-01T00:01:00Z'));
    const ready = (s: typeof first) => s.conditions?.find((c) => c.type === 'Ready');
    expect(ready(same)).toMatchObject({
      lastTransitionTime: '2026-01-01T00:00:00Z',
      lastHeartbeatTime: '2026-01-01T00:01:00Z',
    });
    expect(statusChanged(first, same)).toBe(false);
    const down = desiredNodeStatus(inputs([], false), same, Date.parse('2026-01-01T00:02:00Z'));
    expect(ready(down)).toMatchObject({
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'container runtime is down: connect ENOENT /run/containerd.sock',
      lastTransitionTime: '2026-01-01T00:02:00Z',
    });
    expect(statusChanged(same, down)).toBe(true);
    // While the runtime is down, what it last said stays.
    expect(down.nodeInfo?.containerRuntimeVersion).toBe('containerd://1.6.20');
  });
});
