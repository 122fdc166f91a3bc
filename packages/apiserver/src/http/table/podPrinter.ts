import type { corev1 } from '@tugboat/core';

import { ageColumn, column, nameColumn, type Printer } from './columns.js';
import { ageOf } from './humanDuration.js';

/** Prints pods with kubectl's columns, computing STATUS and RESTARTS as kubectl's pod printer does. */
export const podPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'string', 0, '', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 0, '', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      0,
      '',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn,
    column('IP', 'string', 1, '', 'IP address allocated to the pod. Routable at least within the cluster.'),
    column('Node', 'string', 1, '', 'Name of the Node this pod is scheduled to.'),
    column('Nominated Node', 'string', 1, '', 'Name of the node that the scheduler nominates for this pod.'),
    column('Readiness Gates', 'string', 1, '', 'Readiness gates of the pod.'),
  ],
  cells(object, now) {
    const pod = object as corev1.Pod;
    const { ready, total, reason, restarts, lastRestart } = podStatus(pod);
    const restartText =
      restarts !== 0 && lastRestart !== undefined
        ? `${restarts} (${ageOf(lastRestart, now)} ago)`
        : String(restarts);
    const gates = pod.spec?.readinessGates ?? [];
    const conditions = pod.status?.conditions ?? [];
    const gatesText =
      gates.length === 0
        ? '<none>'
        : `${gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`;
    return [
      pod.metadata?.name ?? '',
      `${ready}/${total}`,
      reason,
      restartText,
      ageOf(pod.metadata?.creationTimestamp, now),
      pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      gatesText,
    ];
  },
};

interface PodStatusSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: string | undefined;
}

/** The STATUS, READY and RESTARTS of a pod, following kubectl's `printPod`. */
export function podStatus(pod: corev1.Pod): PodStatusSummary {
  const status = pod.status ?? {};
  let reason: string = status.reason || status.phase || '';
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'SchedulingGated') reason = 'SchedulingGated';
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: string | undefined;
  const noteRestart = (cs: corev1.ContainerStatus): void => {
    const finished = cs.lastState?.terminated?.finishedAt;
    if (finished && (lastRestart === undefined || finished > lastRestart)) lastRestart = finished;
  };
  const initSpecs = pod.spec?.initContainers ?? [];
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let ready = 0;
  let total = (pod.spec?.containers as unknown[] | undefined)?.length ?? 0;
  for (const cs of status.initContainerStatuses ?? []) {
    if (sidecars.has(cs.name)) {
      total++;
      sidecarRestarts += cs.restartCount;
      noteRestart(cs);
      if (cs.started && cs.ready) ready++;
    }
  }
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (const [i, cs] of initStatuses.entries()) {
    restarts += cs.restartCount;
    noteRestart(cs);
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term !== undefined && term.exitCode === 0) continue;
    if (sidecars.has(cs.name) && cs.started) continue;
    if (term !== undefined) {
      reason = term.reason
        ? `Init:${term.reason}`
        : term.signal
          ? `Init:Signal:${term.signal}`
          : `Init:ExitCode:${term.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }
  const initialized =
    status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (const cs of [...statuses].reverse()) {
      restarts += cs.restartCount;
      noteRestart(cs);
      const term = cs.state?.terminated;
      if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term !== undefined)
        reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (cs.ready && cs.state?.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      reason = podReady ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  }
  return { ready, total, reason, restarts, lastRestart };
}
