/**
 * The host paths of a pod's volumes by name, as {@link VolumeManager.setupPod} resolves them,
 * together with the pod's directory, so that `containerMounts` can place the container's
 * termination-message file without being told the kubelet's rootDir.
 */
export class PodVolumePaths extends Map<string, string> {
  constructor(
    readonly podDir: string,
    entries?: Iterable<readonly [string, string]>,
  ) {
    super(entries);
  }
}
