import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';

import { defaultRegistryConfigPath, writeRegistryHosts } from '@tugboat/runtime-containerd';
import { buildTestImage, startRegistry, type TestRegistry } from '@tugboat/testing';

import { httpGet } from './servicesHarness.js';

/** A loopback registry holding two builds of the web image that say which one they are. */
export interface VersionedImages {
  readonly registry: TestRegistry;
  /** `127.0.0.1:PORT/tugboat-e2e/web:v1` and `…:v2`. */
  readonly v1: string;
  readonly v2: string;
  /** What each image puts in `$TUG_IMAGE_MARKER` (so in every answer of its pods). */
  readonly markers: { readonly v1: string; readonly v2: string };
  /** Stops the registry and removes containerd's hosts entry for it. */
  stop(): Promise<void>;
}

/**
 * Starts a registry, points the project's containerd at it (a hosts.toml its CRI re-reads on every
 * pull) and pushes two busybox images that differ only in their marker, tagged `v1` and `v2`: the
 * two versions a rollout moves between, pulled the way a user's cluster pulls them.
 */
export async function versionedImages(dir: string, run: string): Promise<VersionedImages> {
  const registry = await startRegistry();
  const markers = { v1: `v1-${run}`, v2: `v2-${run}` };
  try {
    await writeRegistryHosts(defaultRegistryConfigPath, registry.host, { server: registry.url });
    const [v1, v2] = await Promise.all(
      (['v1', 'v2'] as const).map(async (tag) => {
        const image = await buildTestImage({ dir, marker: markers[tag] });
        return (await registry.pushImage(image.archive, `tugboat-e2e/web:${tag}`)).ref;
      }),
    );
    return {
      registry,
      v1: v1 ?? '',
      v2: v2 ?? '',
      markers,
      stop: async () => {
        await registry.stop();
        await rm(join(defaultRegistryConfigPath, registry.host), { recursive: true, force: true });
      },
    };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}

/**
 * A client that sends GET / to one address over and over, each on a new TCP connection, from
 * construction until {@link RequestLoop.stop}: what a user's traffic looks like to a rollout.
 */
export class RequestLoop {
  /** Every answer's body, trimmed, in order. */
  readonly answers: string[] = [];
  /** Every failed request's error, in order. */
  readonly failures: string[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly host: string,
    private readonly port: number,
    /** Pause between requests, so the loop does not eat a core of a shared machine. */
    private readonly paceMs = 20,
  ) {
    this.done = this.run();
  }

  /** Ends the loop after the request in flight; resolves once it has ended. */
  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.answers.push((await httpGet(this.host, this.port)).trim());
      } catch (err) {
        this.failures.push(err instanceof Error ? err.message : String(err));
      }
      await new Promise((r) => setTimeout(r, this.paceMs));
    }
  }
}

/**
 * Load for the HorizontalPodAutoscaler: GETs `path` (a CGI script that burns CPU in the pod) on
 * fresh connections until stopped, a few at a time. Failures are ignored: pods come and go.
 */
export class CpuLoad {
  private running = true;
  private readonly done: Promise<unknown>;
  /** How many requests were answered. */
  served = 0;

  constructor(host: string, port: number, path: string, concurrency = 2) {
    const worker = async (): Promise<void> => {
      while (this.running) {
        if (await get(host, port, path)) this.served++;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    this.done = Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Stops the load; resolves once the last request has ended. */
  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** One GET on a fresh connection; resolves whether it answered 200 (never rejects). */
function get(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode === 200);
      });
      res.on('error', () => {
        resolve(false);
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve(false);
    });
    req.end();
  });
}
