/**
 * @tugboat/kubelet: the node agent. Registers its Node and renews its Lease, runs the pods bound
 * to it through a CRI-shaped Runtime, probes and restarts containers, reports pod status, and
 * serves logs, exec and stats over HTTPS.
 */
export { Kubelet } from './Kubelet.js';
export { KubeletOptions, type BackoffOptions, type KubeletTlsOptions } from './KubeletOptions.js';
