import type { appsv1, corev1 } from '@tugboat/core';

import { ageColumn, column, nameColumn, type Printer } from './columns.js';
import { ageOf } from './humanDuration.js';
import { hpaPrinter } from './hpaPrinter.js';
import { pdbPrinter } from './pdbPrinter.js';
import { podPrinter } from './podPrinter.js';

const none = '<none>';
/** The printers read stored JSON, where fields the types call required may still be absent. */
interface LabelSelectorLike {
  matchLabels: Record<string, string>;
}
const meta = (o: { metadata?: { creationTimestamp?: string } }): { creationTimestamp?: string } =>
  o.metadata ?? {};
const name = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';
const age = (o: { metadata?: { creationTimestamp?: string } }, now: number): string =>
  ageOf(o.metadata?.creationTimestamp, now);

const nodePrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'string', 0, '', 'The status of the node'),
    column('Roles', 'string', 0, '', 'The roles of the node'),
    ageColumn,
    column('Version', 'string', 0, '', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', 1, '', 'List of internal IPs for the node.'),
    column('External-IP', 'string', 1, '', 'List of external IPs for the node.'),
    column('OS-Image', 'string', 1, '', 'OS image reported by the node from /etc/os-release.'),
    column('Kernel-Version', 'string', 1, '', 'Kernel version reported by the node.'),
    column('Container-Runtime', 'string', 1, '', 'Container runtime version reported by the node.'),
  ],
  cells(object, now) {
    const node = object as corev1.Node;
    const statuses: string[] = [];
    const readyCond = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (readyCond !== undefined) statuses.push(readyCond.status === 'True' ? 'Ready' : 'NotReady');
    if (statuses.length === 0) statuses.push('Unknown');
    if (node.spec?.unschedulable) statuses.push('SchedulingDisabled');
    const roles = new Set<string>();
    for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
      if (key.startsWith('node-role.kubernetes.io/') && key.length > 'node-role.kubernetes.io/'.length)
        roles.add(key.slice('node-role.kubernetes.io/'.length));
      else if (key === 'kubernetes.io/role' && value !== '') roles.add(value);
    }
    const addresses = (type: string): string =>
      node.status?.addresses?.find((a) => a.type === type)?.address ?? none;
    const info = node.status?.nodeInfo;
    return [
      name(node),
      statuses.join(','),
      roles.size === 0 ? none : [...roles].sort().join(','),
      age(node, now),
      info?.kubeletVersion ?? '',
      addresses('InternalIP'),
      addresses('ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

type Workload = appsv1.Deployment | appsv1.ReplicaSet;
const workloadWide = [
  column('Containers', 'string', 1, '', 'Names of each container in the template.'),
  column('Images', 'string', 1, '', 'Images referenced by each container in the template.'),
  column('Selector', 'string', 1, '', 'Label selector for pods.'),
];
function workloadWideCells(w: Workload): string[] {
  const containers = w.spec?.template?.spec?.containers ?? [];
  const labels = (w.spec?.selector as Partial<LabelSelectorLike> | undefined)?.matchLabels ?? {};
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return [
    containers.map((c) => c.name).join(','),
    containers.map((c) => c.image ?? '').join(','),
    selector || none,
  ];
}

const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'string', 0, '', 'Number of the pod with ready state'),
    column(
      'Up-to-date',
      'string',
      0,
      '',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'string',
      0,
      '',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageColumn,
    ...workloadWide,
  ],
  cells(object, now) {
    const d = object as appsv1.Deployment;
    const s = d.status ?? {};
    return [
      name(d),
      `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      s.updatedReplicas ?? 0,
      s.availableReplicas ?? 0,
      age(d, now),
      ...workloadWideCells(d),
    ];
  },
};

const replicaSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Desired', 'integer', 0, '', 'Number of desired pods.'),
    column('Current', 'integer', 0, '', 'Number of actual replicas.'),
    column('Ready', 'integer', 0, '', 'The number of ready replicas for this replica set.'),
    ageColumn,
    ...workloadWide,
  ],
  cells(object, now) {
    const rs = object as appsv1.ReplicaSet;
    const s = rs.status;
    return [
      name(rs),
      rs.spec?.replicas ?? 1,
      s?.replicas ?? 0,
      s?.readyReplicas ?? 0,
      age(rs, now),
      ...workloadWideCells(rs),
    ];
  },
};

const servicePrinter: Printer = {
  columns: [
    nameColumn,
    column('Type', 'string', 0, '', 'The type of the service.'),
    column('Cluster-IP', 'string', 0, '', 'The IP address of the service.'),
    column('External-IP', 'string', 0, '', 'The external IP of the service.'),
    column('Port(s)', 'string', 0, '', 'The ports of the service.'),
    ageColumn,
    column('Selector', 'string', 1, '', 'The label selector of the service.'),
  ],
  cells(object, now) {
    const svc = object as corev1.Service;
    const type = svc.spec?.type ?? 'ClusterIP';
    const externalIps = svc.spec?.externalIPs ?? [];
    let external: string;
    if (type === 'ExternalName') external = svc.spec?.externalName ?? none;
    else if (type === 'LoadBalancer') {
      const ingress = (svc.status?.loadBalancer?.ingress ?? [])
        .map((i) => i.ip ?? i.hostname ?? '')
        .filter((x) => x);
      const all = [...ingress, ...externalIps];
      external = all.length > 0 ? all.join(',') : '<pending>';
    } else external = externalIps.length > 0 ? externalIps.join(',') : none;
    const ports = (svc.spec?.ports ?? []).map(
      (p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`,
    );
    const selector = Object.entries(svc.spec?.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return [
      name(svc),
      type,
      svc.spec?.clusterIP || none,
      external,
      ports.length > 0 ? ports.join(',') : none,
      age(svc, now),
      selector || none,
    ];
  },
};

const namespacePrinter: Printer = {
  columns: [nameColumn, column('Status', 'string', 0, '', 'The status of the namespace'), ageColumn],
  cells(object, now) {
    const ns = object as corev1.Namespace;
    return [name(ns), ns.status?.phase ?? 'Active', age(ns, now)];
  },
};

const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 0, '', 'Time when last occurrence of this event was recorded.'),
    column('Type', 'string', 0, '', 'Type of this event (Normal, Warning).'),
    column(
      'Reason',
      'string',
      0,
      '',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'string', 0, '', 'The object this Event is about.'),
    column('Subobject', 'string', 1, '', 'The subobject this Event is about.'),
    column('Source', 'string', 1, '', 'The component reporting this event.'),
    column('Message', 'string', 0, '', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 1, '', 'The time at which the event was first recorded.'),
    column('Count', 'string', 1, '', 'The number of times this event has occurred.'),
    column('Name', 'string', 1, 'name', 'Name of the event.'),
  ],
  cells(object, now) {
    const ev = object as unknown as corev1.Event;
    const last = ev.lastTimestamp ?? ev.eventTime ?? meta(ev).creationTimestamp;
    const first = ev.firstTimestamp ?? ev.eventTime ?? meta(ev).creationTimestamp;
    const involved = (ev as { involvedObject?: corev1.ObjectReference }).involvedObject ?? {};
    const source = [ev.source?.component ?? ev.reportingComponent ?? '', ev.source?.host ?? '']
      .filter((s) => s)
      .join(', ');
    return [
      ageOf(last, now),
      ev.type ?? '',
      ev.reason ?? '',
      `${(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`,
      involved.fieldPath ?? '',
      source,
      (ev.message ?? '').trim(),
      ageOf(first, now),
      String(ev.count ?? 1),
      name(ev),
    ];
  },
};

/** The custom printers of built-in resources, by `plural.group` (`deployments.apps`, `pods`). */
export const builtinPrinters: ReadonlyMap<string, Printer> = new Map([
  ['pods', podPrinter],
  ['nodes', nodePrinter],
  ['deployments.apps', deploymentPrinter],
  ['replicasets.apps', replicaSetPrinter],
  ['services', servicePrinter],
  ['namespaces', namespacePrinter],
  ['events', eventPrinter],
  ['horizontalpodautoscalers.autoscaling', hpaPrinter],
  ['poddisruptionbudgets.policy', pdbPrinter],
]);
