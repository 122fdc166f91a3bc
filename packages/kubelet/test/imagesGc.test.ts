import { describe, expect, it } from '@jest/globals';
import { ApiError, silentLogger, type EventRecorder } from '@tugboat/core';
import { FakeRuntime, ManualClock } from '@tugboat/runtime-fake';

import { ImageGcManager, type DiskUsage, type ImageGcManagerOptions } from '../src/images/ImageGcManager.js';

const capacity = 20_000;

/** A node with pinned pause, busybox used by a container, and unused images of 1 000 bytes each. */
async function setup(extra: Partial<ImageGcManagerOptions> = {}): Promise<{
  runtime: FakeRuntime;
  clock: ManualClock;
  gc: ImageGcManager;
  disk: { available: number };
  events: string[];
  refreshes: number[];
}> {
  const clock = new ManualClock();
  const runtime = new FakeRuntime({
    clock,
    images: [
      { ref: 'registry.k8s.io/pause:3.9', size: 1_000 },
      { ref: 'busybox:1.36', size: 1_000 },
      { ref: 'old-used:1', size: 1_000 },
      { ref: 'never-used:1', size: 1_000 },
      { ref: 'never-used:2', size: 1_000 },
    ],
  });
  const disk = { available: capacity };
  const events: string[] = [];
  const refreshes: number[] = [];
  const gc = new ImageGcManager({
    runtime,
    clock,
    logger: silentLogger,
    rootDir: '/nonexistent',
    minAgeMs: 0,
    pinnedImages: ['registry.k8s.io/pause:3.9'],
    diskUsage: (): Promise<DiskUsage> =>
      Promise.resolve({ capacityBytes: capacity, availableBytes: disk.available }),
    recorder: {
      event: (_o: unknown, type: string, reason: string, message: string) =>
        events.push(`${type} ${reason}: ${message}`),
    } as unknown as EventRecorder,
    node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } },
    onRemoved: () => refreshes.push(clock.now()),
    ...extra,
  });
  return { runtime, clock, gc, disk, events, refreshes };
}

async function runContainer(runtime: FakeRuntime, image: string, name: string): Promise<string> {
  const config = {
    metadata: { name, uid: name, namespace: 'default', attempt: 0 },
    logDirectory: `/tmp/tugboat-gc-test-${process.pid}`,
  };
  const sb = await runtime.runPodSandbox(config);
  await runtime.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image, logPath: 'c.log' }, config);
  return sb;
}

const tags = async (runtime: FakeRuntime): Promise<string[]> =>
  (await runtime.listImages()).flatMap((i) => i.repoTags).sort();

describe('ImageGcManager', () => {
  it('does nothing below the high threshold', async () => {
    const { runtime, gc, disk } = await setup();
    disk.available = capacity * 0.16; // 84 % used
    const result = await gc.garbageCollect();
    expect(result.removed).toEqual([]);
    expect(await tags(runtime)).toHaveLength(5);
  });

  it('removes unused images, least recently used first, down to the low threshold; never one in use or pinned', async () => {
    const { runtime, clock, gc, disk, events, refreshes } = await setup();
    const sb = await runContainer(runtime, 'docker.io/library/old-used:1', 'early');
    await gc.detectImages();
    await runtime.removePodSandbox(sb);
    await clock.advance(1_000);
    await runContainer(runtime, 'busybox:1.36', 'current');
    disk.available = capacity * 0.15; // 85 % used: 1 000 bytes to free to reach 80 %
    const result = await gc.garbageCollect();
    expect(result.bytesToFree).toBe(1_000);
    // never-used:1 and :2 have never been used and go first (oldest first seen; they tie, either may go).
    expect(result.removed).toHaveLength(1);
    expect(await tags(runtime)).toEqual(
      expect.arrayContaining([
        'docker.io/library/busybox:1.36',
        'docker.io/library/old-used:1',
        'registry.k8s.io/pause:3.9',
      ]),
    );
    expect((await tags(runtime)).filter((t) => t.includes('never-used'))).toHaveLength(1);
    expect(refreshes).toHaveLength(1);
    expect(events).toEqual([]);

    // Far above: everything unused goes (old-used last), busybox (in use) and pause (pinned) stay.
    disk.available = 0;
    const more = await gc.garbageCollect();
    expect(more.removed).toHaveLength(2);
    expect(await tags(runtime)).toEqual(['docker.io/library/busybox:1.36', 'registry.k8s.io/pause:3.9']);
    expect(events).toEqual([
      'Warning FreeDiskSpaceFailed: Failed to garbage collect required amount of images. Attempted to free 4000 bytes, but only found 2000 bytes eligible to free.',
    ]);
  });

  it('keeps images first seen less than the minimum age ago', async () => {
    const { runtime, clock, gc, disk } = await setup({ minAgeMs: 120_000 });
    disk.available = 0;
    await gc.detectImages();
    await clock.advance(60_000);
    expect((await gc.garbageCollect()).removed).toEqual([]);
    await clock.advance(60_000);
    expect((await gc.garbageCollect()).removed).toHaveLength(4);
    expect(await tags(runtime)).toEqual(['registry.k8s.io/pause:3.9']);
  });

  it('runs periodically once started, at the configured interval', async () => {
    const { runtime, clock, gc, disk } = await setup({ intervalMs: 60_000 });
    disk.available = 0;
    gc.start();
    await clock.advance(59_000);
    expect(await tags(runtime)).toHaveLength(5);
    await clock.advance(1_000);
    expect(await tags(runtime)).toEqual(['registry.k8s.io/pause:3.9']);
    await gc.stop();
  });

  it('refuses thresholds that make no sense, and disk figures that do not add up', async () => {
    expect(
      () => new ImageGcManager({ ...baseOptions(), highThresholdPercent: 70, lowThresholdPercent: 80 }),
    ).toThrow(ApiError);
    expect(() => new ImageGcManager({ ...baseOptions(), highThresholdPercent: 101 })).toThrow(/<= 100/);
    const { gc, disk } = await setup();
    disk.available = capacity * 2;
    await expect(gc.garbageCollect()).rejects.toMatchObject({ code: 'Invalid' });
  });
});

function baseOptions(): ImageGcManagerOptions {
  return { runtime: new FakeRuntime(), clock: new ManualClock(), logger: silentLogger, rootDir: '/' };
}
