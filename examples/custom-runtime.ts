/**
 * A Runtime of one's own: `RegistryPolicyRuntime` wraps any Runtime (containerd, Docker or the
 * simulation) and refuses to pull images from registries outside an allow-list, as an admission
 * policy on the node would. Everything else is delegated, so the wrapped runtime still passes the
 * shared Runtime conformance suite (see custom-runtime.test.ts).
 * Run it: `pnpm exec tsx examples/custom-runtime.ts`.
 */
import {
  ApiError,
  imagePullError,
  normalizeImageRef,
  type AttachStreams,
  type AuthConfig,
  type ContainerConfig,
  type ContainerFilter,
  type ExecStreams,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type Runtime,
} from '@tugboat/core';
import { FakeRuntime } from '@tugboat/runtime-fake';

// ---- user code starts here ----
/** A Runtime that pulls only from allowed registries and delegates everything else to `inner`. */
export class RegistryPolicyRuntime implements Runtime {
  readonly name: string;
  readonly events: Runtime['events'];
  /** Images refused so far (normalised references), for a test or a metric. */
  readonly refused: string[] = [];

  constructor(
    private readonly inner: Runtime,
    private readonly allowedRegistries: readonly string[],
  ) {
    this.name = `${inner.name}+registry-policy`;
    this.events = inner.events;
  }

  async pullImage(image: string, auth?: AuthConfig): Promise<string> {
    // normalizeImageRef throws the typed InvalidImageName error for a malformed reference.
    const ref = normalizeImageRef(image);
    const registry = ref.slice(0, ref.indexOf('/'));
    if (!this.allowedRegistries.includes(registry)) {
      this.refused.push(ref);
      throw imagePullError(image, 'Unauthorized', `registry ${registry} is not allowed on this node`);
    }
    return this.inner.pullImage(image, auth);
  }

  // The rest is plain delegation.
  version = (): ReturnType<Runtime['version']> => this.inner.version();
  runPodSandbox = (config: PodSandboxConfig): Promise<string> => this.inner.runPodSandbox(config);
  stopPodSandbox = (id: string): Promise<void> => this.inner.stopPodSandbox(id);
  removePodSandbox = (id: string): Promise<void> => this.inner.removePodSandbox(id);
  podSandboxStatus = (id: string): ReturnType<Runtime['podSandboxStatus']> => this.inner.podSandboxStatus(id);
  listPodSandboxes = (filter?: PodSandboxFilter): ReturnType<Runtime['listPodSandboxes']> =>
    this.inner.listPodSandboxes(filter);
  createContainer = (id: string, config: ContainerConfig, sandbox: PodSandboxConfig): Promise<string> =>
    this.inner.createContainer(id, config, sandbox);
  startContainer = (id: string): Promise<void> => this.inner.startContainer(id);
  stopContainer = (id: string, timeoutSeconds: number): Promise<void> =>
    this.inner.stopContainer(id, timeoutSeconds);
  removeContainer = (id: string): Promise<void> => this.inner.removeContainer(id);
  containerStatus = (id: string): ReturnType<Runtime['containerStatus']> => this.inner.containerStatus(id);
  listContainers = (filter?: ContainerFilter): ReturnType<Runtime['listContainers']> =>
    this.inner.listContainers(filter);
  containerStats = (id: string): ReturnType<Runtime['containerStats']> => this.inner.containerStats(id);
  execSync = (id: string, cmd: readonly string[], timeoutSeconds?: number): ReturnType<Runtime['execSync']> =>
    this.inner.execSync(id, cmd, timeoutSeconds);
  exec = (id: string, cmd: readonly string[], streams: ExecStreams): Promise<number> =>
    this.inner.exec(id, cmd, streams);
  // Optional in the contract: forwarded when the inner runtime has it.
  attach = (id: string, streams: AttachStreams): Promise<void> =>
    this.inner.attach?.(id, streams) ??
    Promise.reject(new ApiError('BadRequest', `the runtime ${this.inner.name} does not support attach`));
  imageStatus = (image: string): ReturnType<Runtime['imageStatus']> => this.inner.imageStatus(image);
  listImages = (): ReturnType<Runtime['listImages']> => this.inner.listImages();
  removeImage = (image: string): Promise<void> => this.inner.removeImage(image);
  close = (): Promise<void> => this.inner.close();
}
// ---- user code ends here ----

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const runtime = new RegistryPolicyRuntime(new FakeRuntime(), ['registry.example.com']);
  console.log('allowed:', await runtime.pullImage('registry.example.com/team/app:1'));
  await runtime.pullImage('busybox:1.36').catch((err: unknown) => {
    console.log('refused:', err instanceof Error ? err.message : err);
  });
  await runtime.close();
}
