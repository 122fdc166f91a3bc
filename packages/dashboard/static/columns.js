import { age } from './dom.js';

/**
 * @typedef {import('kubernetes-types/core/v1').Node} Node
 * @typedef {import('kubernetes-types/core/v1').Pod} Pod
 * @typedef {import('kubernetes-types/core/v1').Service} Service
 * @typedef {import('kubernetes-types/core/v1').Event} Event
 * @typedef {import('kubernetes-types/apps/v1').Deployment} Deployment
 */

/**
 * One table of the page: where its objects come from and how a row reads.
 * @template {import('./collection.js').KubeObject} T
 * @typedef {object} View
 * @property {string} id the section's id
 * @property {string} title
 * @property {string} group `api/v1` or `apis/<group>/<version>`
 * @property {string} plural
 * @property {boolean} namespaced
 * @property {string[]} headers without Namespace, which namespaced views add when showing every namespace
 * @property {(object: T, now: number) => string[]} row
 * @property {(a: T, b: T) => number} [order] default: by namespace, then name
 * @property {(object: T) => boolean} [troubled] rows it is true for are highlighted
 * @property {number} [limit] show at most this many rows
 */

/** @param {Node} node */
function nodeStatus(node) {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
}

/** @param {Node} node */
function nodeRoles(node) {
  const labels = node.metadata?.labels ?? {};
  const roles = Object.keys(labels)
    .filter((key) => key.startsWith('node-role.kubernetes.io/'))
    .map((key) => key.slice('node-role.kubernetes.io/'.length))
    .filter((role) => role !== '');
  const legacy = labels['kubernetes.io/role'];
  if (legacy) roles.push(legacy);
  return roles.length > 0 ? roles.sort().join(',') : '<none>';
}

/**
 * The STATUS column of `kubectl get pods`: the first init container that has not finished, else
 * the reason a container waits or ended, else the phase; `Terminating` once deleted.
 * @param {Pod} pod
 */
export function podStatus(pod) {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  let status = pod.status?.reason ?? pod.status?.phase ?? 'Pending';
  const inits = pod.status?.initContainerStatuses ?? [];
  const total = pod.spec?.initContainers?.length ?? 0;
  for (const [i, c] of inits.entries()) {
    const { terminated, waiting } = c.state ?? {};
    if (terminated?.exitCode === 0) continue;
    if (terminated) return `Init:${terminated.reason ?? `ExitCode:${terminated.exitCode}`}`;
    if (waiting?.reason && waiting.reason !== 'PodInitializing') return `Init:${waiting.reason}`;
    return `Init:${i}/${total}`;
  }
  for (const c of pod.status?.containerStatuses ?? []) {
    const { terminated, waiting } = c.state ?? {};
    if (waiting?.reason) status = waiting.reason;
    else if (terminated) status = terminated.reason ?? `ExitCode:${terminated.exitCode}`;
  }
  return status;
}

// Statuses of a pod that will not get better by waiting a moment.
const troubledPodStatuses =
  /^(Init:)?(Error|Failed|CrashLoopBackOff|ImagePullBackOff|ErrImagePull|InvalidImageName|CreateContainerConfigError|CreateContainerError|RunContainerError|OOMKilled|ContainerCannotRun|StartError|ExitCode:.*|Evicted)$/;

/** @type {View<Node>} */
const nodes = {
  id: 'nodes',
  title: 'Nodes',
  group: 'api/v1',
  plural: 'nodes',
  namespaced: false,
  headers: ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal IP'],
  row: (node, now) => [
    node.metadata?.name ?? '',
    nodeStatus(node),
    nodeRoles(node),
    age(node.metadata?.creationTimestamp, now),
    node.status?.nodeInfo?.kubeletVersion ?? '',
    node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
  ],
  troubled: (node) => !nodeStatus(node).startsWith('Ready'),
};

/** @type {View<Deployment>} */
const deployments = {
  id: 'deployments',
  title: 'Deployments',
  group: 'apis/apps/v1',
  plural: 'deployments',
  namespaced: true,
  headers: ['Name', 'Ready', 'Up-to-date', 'Available', 'Age'],
  row: (d, now) => [
    d.metadata?.name ?? '',
    `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
    String(d.status?.updatedReplicas ?? 0),
    String(d.status?.availableReplicas ?? 0),
    age(d.metadata?.creationTimestamp, now),
  ],
};

/** @type {View<Pod>} */
const pods = {
  id: 'pods',
  title: 'Pods',
  group: 'api/v1',
  plural: 'pods',
  namespaced: true,
  headers: ['Name', 'Ready', 'Status', 'Restarts', 'Node', 'Age'],
  row: (pod, now) => {
    const statuses = pod.status?.containerStatuses ?? [];
    return [
      pod.metadata?.name ?? '',
      `${statuses.filter((c) => c.ready).length}/${pod.spec?.containers.length ?? 0}`,
      podStatus(pod),
      String(statuses.reduce((sum, c) => sum + c.restartCount, 0)),
      pod.spec?.nodeName ?? '',
      age(pod.metadata?.creationTimestamp, now),
    ];
  },
  troubled: (pod) => troubledPodStatuses.test(podStatus(pod)),
};

/** @type {View<Service>} */
const services = {
  id: 'services',
  title: 'Services',
  group: 'api/v1',
  plural: 'services',
  namespaced: true,
  headers: ['Name', 'Type', 'Cluster IP', 'External IP', 'Ports', 'Age'],
  row: (s, now) => [
    s.metadata?.name ?? '',
    s.spec?.type ?? 'ClusterIP',
    s.spec?.clusterIP ?? '',
    (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').join(',') ||
      (s.spec?.externalIPs ?? []).join(',') ||
      '<none>',
    (s.spec?.ports ?? [])
      .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
      .join(',') || '<none>',
    age(s.metadata?.creationTimestamp, now),
  ],
};

/** @param {Event} e */
const lastSeen = (e) =>
  e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';

/** @type {View<Event>} */
const events = {
  id: 'events',
  title: 'Events',
  group: 'api/v1',
  plural: 'events',
  namespaced: true,
  headers: ['Last seen', 'Type', 'Reason', 'Object', 'Message'],
  row: (e, now) => [
    age(lastSeen(e) || undefined, now),
    e.type ?? '',
    e.reason ?? '',
    `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`,
    e.message ?? '',
  ],
  order: (a, b) => Date.parse(lastSeen(b)) - Date.parse(lastSeen(a)),
  troubled: (e) => e.type === 'Warning',
  limit: 200,
};

/** The page's tables, in the order they appear. */
export const views = [nodes, deployments, pods, services, events];
