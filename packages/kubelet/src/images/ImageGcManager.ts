import { statfs } from 'node:fs/promises';

import {
  ApiError,
  normalizeImageRef,
  type Clock,
  type EventRecorder,
  type Image,
  type KubeObject,
  type Logger,
  type Runtime,
  type TimerHandle,
} from '@tugboat/core';

/** The size and free space of the filesystem images are stored on, in bytes. */
export interface DiskUsage {
  readonly capacityBytes: number;
  readonly availableBytes: number;
}

/** The image garbage collection policy (upstream's `ImageGCPolicy`); every field has a default. */
export interface ImageGcOptions {
  /** How often disk use is checked (default 300 000 ms, upstream's `ImageGCPeriod`). */
  readonly intervalMs?: number;
  /** Collection starts when disk use reaches this percentage (default 85; 100 turns collection off). */
  readonly highThresholdPercent?: number;
  /** …and frees images until use is down to this percentage (default 80). */
  readonly lowThresholdPercent?: number;
  /** An image first seen less than this long ago is kept (default 120 000 ms, upstream's `ImageMinimumGCAge`). */
  readonly minAgeMs?: number;
  /** Images never removed (the sandbox image), by any reference spelling or id. */
  readonly pinnedImages?: readonly string[];
  /**
   * Reads the image filesystem's use. The Runtime contract reports no image-filesystem stats, so
   * the default is `statfs` of the kubelet's root directory, a proxy that is right when the
   * runtime's image store shares that filesystem.
   */
  readonly diskUsage?: () => Promise<DiskUsage>;
}

/** Options of an {@link ImageGcManager}. */
export interface ImageGcManagerOptions extends ImageGcOptions {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the default {@link ImageGcOptions.diskUsage} looks. */
  readonly rootDir: string;
  /** Node events (`FreeDiskSpaceFailed`, `ImageGCFailed`) go here, about `node`. */
  readonly recorder?: EventRecorder;
  readonly node?: KubeObject;
  /** Called after images were removed (the node status lists images). */
  readonly onRemoved?: () => void;
}

/** What one collection did. */
export interface ImageGcResult {
  /** Disk use before, in percent. */
  readonly usagePercent: number;
  readonly bytesToFree: number;
  readonly freedBytes: number;
  /** Ids of the images removed. */
  readonly removed: readonly string[];
}

interface Record_ {
  firstDetected: number;
  lastUsed: number;
  image: Image;
}

async function statfsUsage(dir: string): Promise<DiskUsage> {
  const s = await statfs(dir);
  return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
}

function tryNormalize(ref: string): string | undefined {
  try {
    return normalizeImageRef(ref);
  } catch {
    return undefined;
  }
}

/** Every spelling of the images named in `refs` worth comparing against an {@link Image}. */
function identifiers(refs: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const ref of refs) {
    if (!ref) continue;
    out.add(ref);
    const n = tryNormalize(ref);
    if (n) out.add(n);
  }
  return out;
}

function named(image: Image, ids: ReadonlySet<string>): boolean {
  return (
    ids.has(image.id) || image.repoTags.some((t) => ids.has(t)) || image.repoDigests.some((d) => ids.has(d))
  );
}

/**
 * The node's image garbage collector, as upstream's `realImageGCManager`: every interval it records
 * which images exist and which containers (running or not) use them; when the image filesystem's
 * use reaches the high threshold it removes unused images, least recently used first (then oldest
 * first seen), skipping pinned ones and those first seen less than the minimum age ago, until the
 * freed image sizes bring use down to the low threshold. An image in use is never removed.
 */
export class ImageGcManager {
  private readonly records = new Map<string, Record_>();
  private readonly high: number;
  private readonly low: number;
  private timer: TimerHandle | undefined;
  private running = false;
  private inflight: Promise<unknown> | undefined;

  constructor(private readonly options: ImageGcManagerOptions) {
    this.high = options.highThresholdPercent ?? 85;
    this.low = options.lowThresholdPercent ?? 80;
    const pct = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 100;
    if (!pct(this.high) || !pct(this.low) || this.low > this.high)
      throw new ApiError(
        'Invalid',
        `image GC thresholds must satisfy 0 <= low (${this.low}) <= high (${this.high}) <= 100`,
      );
  }

  /** Records the images present now, then checks disk use every interval. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.inflight = this.detectImages().catch((err: unknown) => {
      this.options.logger.warn('image GC: listing images failed', { err: String(err) });
    });
    this.schedule();
  }

  /** Stops the periodic checks and waits for one under way. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight?.catch(() => undefined);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.inflight = this.garbageCollect()
        .catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          this.options.logger.warn('image GC failed', { err: message });
          this.nodeEvent('ImageGCFailed', message);
        })
        .finally(() => {
          this.schedule();
        });
    }, this.options.intervalMs ?? 300_000);
  }

  private nodeEvent(reason: string, message: string): void {
    const { recorder, node } = this.options;
    if (recorder && node) recorder.event(node, 'Warning', reason, message);
  }

  /**
   * Lists images and containers, records new images and when each was last used; resolves with
   * the ids of the images in use.
   */
  async detectImages(): Promise<Set<string>> {
    const { runtime, clock } = this.options;
    const now = clock.now();
    const [images, containers] = await Promise.all([runtime.listImages(), runtime.listContainers()]);
    const used = identifiers(containers.flatMap((c) => [c.image, c.imageRef]));
    const inUse = new Set<string>();
    const seen = new Set<string>();
    for (const image of images) {
      seen.add(image.id);
      let rec = this.records.get(image.id);
      if (!rec) {
        rec = { firstDetected: now, lastUsed: 0, image };
        this.records.set(image.id, rec);
      }
      rec.image = image;
      if (named(image, used)) {
        rec.lastUsed = now;
        inUse.add(image.id);
      }
    }
    for (const id of this.records.keys()) if (!seen.has(id)) this.records.delete(id);
    return inUse;
  }

  /** Checks disk use once and, above the high threshold, removes unused images down to the low one. */
  async garbageCollect(): Promise<ImageGcResult> {
    const usage = await (this.options.diskUsage ?? (() => statfsUsage(this.options.rootDir)))();
    const { capacityBytes, availableBytes } = usage;
    if (!(capacityBytes > 0) || availableBytes < 0 || availableBytes > capacityBytes)
      throw new ApiError(
        'Invalid',
        `image filesystem reports capacity ${capacityBytes} and available ${availableBytes} bytes`,
      );
    const usagePercent = 100 - (availableBytes * 100) / capacityBytes;
    const inUse = await this.detectImages();
    if (this.high >= 100 || usagePercent < this.high)
      return { usagePercent, bytesToFree: 0, freedBytes: 0, removed: [] };
    const bytesToFree = Math.ceil((capacityBytes * (100 - this.low)) / 100 - availableBytes);
    const { freedBytes, removed } = await this.freeSpace(bytesToFree, inUse);
    if (removed.length > 0) this.options.onRemoved?.();
    if (freedBytes < bytesToFree)
      this.nodeEvent(
        'FreeDiskSpaceFailed',
        `Failed to garbage collect required amount of images. Attempted to free ${bytesToFree} bytes, but only found ${freedBytes} bytes eligible to free.`,
      );
    this.options.logger.info('image GC', { usagePercent, bytesToFree, freedBytes, removed: removed.length });
    return { usagePercent, bytesToFree, freedBytes, removed };
  }

  private async freeSpace(
    bytesToFree: number,
    inUse: ReadonlySet<string>,
  ): Promise<{ freedBytes: number; removed: string[] }> {
    const now = this.options.clock.now();
    const pinned = identifiers(this.options.pinnedImages ?? []);
    const minAge = this.options.minAgeMs ?? 120_000;
    const candidates = [...this.records.values()]
      .filter((r) => !inUse.has(r.image.id) && !named(r.image, pinned) && now - r.firstDetected >= minAge)
      .sort((a, b) => a.lastUsed - b.lastUsed || a.firstDetected - b.firstDetected);
    let freedBytes = 0;
    const removed: string[] = [];
    for (const rec of candidates) {
      if (freedBytes >= bytesToFree) break;
      try {
        // By id: that is the image, whatever its tags; the runtime refuses one a container still uses.
        await this.options.runtime.removeImage(rec.image.id);
      } catch (err) {
        this.options.logger.warn('image GC: removing an image failed', {
          image: rec.image.id,
          err: String(err),
        });
        continue;
      }
      this.records.delete(rec.image.id);
      removed.push(rec.image.id);
      freedBytes += rec.image.size;
    }
    return { freedBytes, removed };
  }
}
