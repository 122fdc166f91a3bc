/**
 * @tugboat/kubelet: the node agent. Registers its Node and renews its Lease, runs the pods bound
 * to it through a CRI-shaped Runtime, probes and restarts containers, reports pod status, and
 * serves logs, exec and stats over HTTPS.
 */
export { Kubelet } from './Kubelet.js';
export { KubeletOptions, type BackoffOptions, type KubeletTlsOptions } from './KubeletOptions.js';
export { kubeletModule, type KubeletModuleOptions } from './module.js';
export type {
  EnvBuilder,
  KubeletDeps,
  MountBuilder,
  NodeStatus,
  PodProber,
  PodVolumes,
} from './pod/seams.js';

/* The parts, for composing a node agent of one's own */
export { NodeStatusManager, type NodeStatusManagerOptions } from './node/NodeStatusManager.js';
export { ProbeManager, type ProbeManagerOptions, type ProbedContainer } from './prober/ProbeManager.js';
export {
  PodVolumePaths,
  VolumeManager,
  containerMounts,
  type ContainerMountsOptions,
  type VolumeManagerOptions,
} from './volumes/VolumeManager.js';
export { terminationMessageFile } from './volumes/terminationMessageFile.js';
export {
  containerEnv,
  resolveContainerEnv,
  type EnvContext,
  type EnvSources,
  type EnvWarning,
  type ResolvedEnv,
} from './env/containerEnv.js';
export {
  KubeletServer,
  type ContainerLocator,
  type KubeletServerOptions,
  type LocatedContainer,
} from './server/KubeletServer.js';
export type { ContainerSummary, CpuStats, MemoryStats, PodSummary, Summary } from './server/statsSummary.js';

/* Images: pulls with pull secrets, the serial/parallel puller, garbage collection (area E3) */
export { DockerKeyring, urlsMatch, type DockerConfigEntry } from './images/DockerKeyring.js';
export {
  ImageGcManager,
  type DiskUsage,
  type ImageGcManagerOptions,
  type ImageGcOptions,
  type ImageGcResult,
} from './images/ImageGcManager.js';
export { ImageManager, type ImageManagerOptions, type PulledImage } from './images/ImageManager.js';
export { ImagePuller, type ImagePullerOptions, type PullOutcome } from './images/ImagePuller.js';
export {
  podKeyring,
  type BadPullSecret,
  type PodKeyring,
  type PullSecretSources,
} from './images/pullSecrets.js';

/* Pod DNS: the sandbox resolver configuration from spec.dnsPolicy (issue 10) */
export { PodDns, type PodDnsOptions } from './pod/PodDns.js';
export {
  podDnsConfig,
  type NodeDnsSettings,
  type PodDnsResult,
  type PodDnsWarning,
} from './pod/podDnsConfig.js';
